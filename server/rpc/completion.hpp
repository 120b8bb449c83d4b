// What runs when a call is answered: a move-only callable of
// void(Outcome&&), held in place when it fits.
//
// std::function keeps 16 bytes in place; every codec's completion captures
// more (the request id, the session, the reply callback: 56 to 72 bytes),
// so each call paid a heap allocation for it. Completion keeps up to
// kInline bytes in place, and only that: a callable that does not fit is a
// compile error, so no call path allocates for its completion unnoticed
// (capture less, or hold the rest behind one pointer).
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace plugrpc {

struct Outcome;

class Completion {
public:
    static constexpr std::size_t kInline = 96;

    Completion() noexcept = default;

    template <class F, class D = std::decay_t<F>,
              class = std::enable_if_t<!std::is_same_v<D, Completion> && std::is_invocable_r_v<void, D&, Outcome&&>>>
    Completion(F&& f) { // NOLINT(google-explicit-constructor): as std::function
        static_assert(sizeof(D) <= kInline, "a completion must fit Completion::kInline bytes");
        static_assert(alignof(D) <= alignof(std::max_align_t), "a completion must not be over-aligned");
        static_assert(std::is_nothrow_move_constructible_v<D>, "a completion must move without throwing");
        ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
        ops_ = &kOps<D>;
    }

    Completion(Completion&& other) noexcept { take(other); }
    Completion& operator=(Completion&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    Completion(const Completion&) = delete;
    Completion& operator=(const Completion&) = delete;
    ~Completion() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    // Calling an empty Completion throws std::bad_function_call, as
    // std::function does.
    void operator()(Outcome&& outcome) const {
        if (!ops_) throw std::bad_function_call();
        ops_->call(const_cast<unsigned char*>(storage_), std::move(outcome));
    }

private:
    struct Ops {
        void (*call)(void* self, Outcome&& outcome);
        void (*move)(void* from, void* to) noexcept; // constructs at `to`, destroys at `from`
        void (*destroy)(void* self) noexcept;
    };

    template <class D>
    static constexpr Ops kOps = {
        [](void* self, Outcome&& o) { (*static_cast<D*>(self))(std::move(o)); },
        [](void* from, void* to) noexcept {
            ::new (to) D(std::move(*static_cast<D*>(from)));
            static_cast<D*>(from)->~D();
        },
        [](void* self) noexcept { static_cast<D*>(self)->~D(); },
    };

    void take(Completion& other) noexcept {
        if (!other.ops_) return;
        other.ops_->move(other.storage_, storage_);
        ops_ = std::exchange(other.ops_, nullptr);
    }

    void reset() noexcept {
        if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
    }

    alignas(std::max_align_t) unsigned char storage_[kInline];
    const Ops* ops_ = nullptr;
};

} // namespace plugrpc
