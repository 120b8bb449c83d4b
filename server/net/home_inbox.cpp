#include "server/net/home_inbox.hpp"

#include "server/net/io_loop.hpp"

#include <boost/asio/post.hpp>

namespace plugrpc {

HomeInbox::HomeInbox(boost::asio::execution_context& ctx)
    : boost::asio::execution_context::service(ctx), ioc_(static_cast<boost::asio::io_context&>(ctx)) {}

void HomeInbox::push(std::unique_ptr<Task> task) {
    bool post;
    {
        std::lock_guard lk(mu_);
        queue_.push_back(std::move(task));
        post = !std::exchange(posted_, true);
    }
    if (post) boost::asio::post(ioc_, [this] { drain(); });
}

void HomeInbox::drain() {
    std::vector<std::unique_ptr<Task>> now;
    {
        std::lock_guard lk(mu_);
        now.swap(queue_);
        queue_.swap(spare_); // empty, with the capacity of an earlier drain
        posted_ = false;
    }
    {
        // Sessions answered here write once, at the end (net/io_loop.hpp).
        AnswerBatch batch;
        for (auto& task : now) task->run();
    }
    now.clear();
    std::lock_guard lk(mu_);
    if (spare_.capacity() < now.capacity()) spare_.swap(now);
}

std::size_t HomeInbox::waiting() const {
    std::lock_guard lk(mu_);
    return queue_.size();
}

void HomeInbox::shutdown() {
    std::vector<std::unique_ptr<Task>> dropped;
    {
        std::lock_guard lk(mu_);
        dropped.swap(queue_);
    }
    // Destroyed unrun, as asio destroys the handlers of a loop that stops.
}

} // namespace plugrpc
