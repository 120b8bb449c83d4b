// A value replaced as a whole on reload and read by new connections: a
// shared_ptr behind a mutex. (Not std::atomic<std::shared_ptr>: GCC 12's
// load() releases its internal lock with a relaxed store, which
// ThreadSanitizer rightly reports as a race with the next store.)
#pragma once

#include <memory>
#include <mutex>

namespace plugrpc {

template <class T>
class SharedSetting {
public:
    std::shared_ptr<T> load() const {
        std::lock_guard lock(mu_);
        return value_;
    }
    void store(std::shared_ptr<T> value) {
        std::lock_guard lock(mu_);
        value_.swap(value); // the old value goes with `value`, after the lock
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<T> value_;
};

} // namespace plugrpc
