// Work handed to a network loop from other threads, run there in batches.
//
// Calls answered off the network thread — by the blocking pool, a plugin's
// own thread, an isolated child's reader, the deadline thread — each came
// home by its own post to the loop: a heap operation, the loop's lock, often
// a wake-up of the loop, and then one write to the peer per answer. Under a
// burst of blocking calls that was a send() per call (bench/RESULTS.md,
// session 13). Here answers queue in the loop's inbox; the first to find it
// empty posts one drain, and the drain runs all that came meanwhile inside
// an AnswerBatch, so each session writes once for all of its answers in it.
// A lone answer costs what the post did; a burst costs a post per drain.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace plugrpc {

class HomeInbox : public boost::asio::execution_context::service {
public:
    using key_type = HomeInbox;
    static inline boost::asio::execution_context::id id;

    explicit HomeInbox(boost::asio::execution_context& ctx);

    // The inbox of `ioc` (created on first use; cache it, the lookup locks).
    static HomeInbox& of(boost::asio::io_context& ioc) { return boost::asio::use_service<HomeInbox>(ioc); }

    // Run `f` (a move-only callable that does not throw) on the loop, from any thread.
    template <class F>
    void post(F&& f) {
        using D = std::decay_t<F>;
        struct Held final : Task {
            explicit Held(F&& g) : fn(std::forward<F>(g)) {}
            void run() override { fn(); }
            D fn;
        };
        push(std::make_unique<Held>(std::forward<F>(f)));
    }

    // Tasks waiting now (for tests).
    std::size_t waiting() const;

private:
    struct Task {
        virtual ~Task() = default;
        virtual void run() = 0;
    };
    void push(std::unique_ptr<Task> task);
    void drain();
    void shutdown() override;

    boost::asio::io_context& ioc_;
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<Task>> queue_;
    std::vector<std::unique_ptr<Task>> spare_; // the drained vector, kept for its capacity
    bool posted_ = false;                      // a drain is on its way to the loop
};

} // namespace plugrpc
