#include "server/net/context.hpp"

#include <boost/asio/post.hpp>

namespace plugrpc {

void SessionSet::add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu_);
    live_[s.get()] = s;
}

void SessionSet::remove(Session* s) {
    std::lock_guard lock(mu_);
    live_.erase(s);
}

void SessionSet::drain_all() {
    std::vector<std::shared_ptr<Session>> all;
    {
        std::lock_guard lock(mu_);
        for (auto& [p, w] : live_)
            if (auto s = w.lock()) all.push_back(std::move(s));
    }
    for (auto& s : all) boost::asio::post(s->executor(), [s] { s->drain(); });
}

std::size_t SessionSet::size() const {
    std::lock_guard lock(mu_);
    return live_.size();
}

} // namespace plugrpc
