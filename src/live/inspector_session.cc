// The one translation unit with Boost.Beast and Asio in it (see the header).
#include "live/inspector_session.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>

#include "live/inspector_target.h"

namespace leakscope::live {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Node 24 sends 1 MiB chunks, escaped into frames of up to 1.3 MB; a heap full of quotes and
// backslashes could double that. 64 MiB still bounds a hostile or broken peer.
constexpr uint64_t kMaxMessageBytes = uint64_t{64} << 20;

// Runs `ioc` until the operation started by `start` completes or `seconds` pass; on timeout the
// socket is cancelled (the operation then completes with operation_aborted) and timed_out is
// returned. All I/O goes through here, so no call can hang on a stuck target.
template <typename Start>
beast::error_code run_with_deadline(asio::io_context& ioc, tcp::socket& socket, double seconds,
                                    Start&& start) {
  bool done = false;
  beast::error_code result;
  start([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc.restart();
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(seconds));
  while (!done) {
    if (ioc.run_one_until(deadline) == 0 && !done) {
      beast::error_code ignored;
      socket.cancel(ignored);
      ioc.restart();
      while (!done && ioc.run_one() != 0) {
      }
      return asio::error::timed_out;
    }
  }
  return result;
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

uint64_t number_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  const double v = it->get<double>();
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

}  // namespace

struct InspectorSession::Impl {
  SessionOptions options;
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  std::string title;
  uint64_t next_id = 1;
  bool open = false;

  explicit Impl(const SessionOptions& o) : options(o) {}

  std::string host() const { return fmt::format("127.0.0.1:{}", options.port); }

  void connect(tcp::socket& socket, const char* what) {
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), options.port);
    beast::error_code ec = run_with_deadline(ioc, socket, options.connect_timeout,
                                             [&](auto h) { socket.async_connect(endpoint, h); });
    if (ec) {
      throw AttachError(
          fmt::format("attach: cannot connect to {} for {}: {}", host(), what, ec.message()));
    }
    const uint16_t local_port = socket.local_endpoint(ec).port();
    if (ec) throw AttachError(fmt::format("attach: {}: {}", host(), ec.message()));
    options.verify_peer(local_port);
  }

  // GET /json/list; the WebSocket path of its Node target. Only the path is taken from the reply:
  // the host and port stay the verified ones, whatever the reply says.
  std::string target_path() {
    tcp::socket socket(ioc);
    connect(socket, "the target list");
    http::request<http::empty_body> request(http::verb::get, "/json/list", 11);
    // Node refuses a Host that is not an IP address or localhost (DNS-rebinding protection).
    request.set(http::field::host, host());
    request.set(http::field::user_agent, "leakscope");
    request.set(http::field::connection, "close");
    beast::error_code ec = run_with_deadline(ioc, socket, options.connect_timeout, [&](auto h) {
      http::async_write(socket, request, h);
    });
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 20);
    beast::flat_buffer http_buffer;
    if (!ec) {
      ec = run_with_deadline(ioc, socket, options.connect_timeout,
                             [&](auto h) { http::async_read(socket, http_buffer, parser, h); });
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    if (ec) {
      throw AttachError(
          fmt::format("attach: GET http://{}/json/list failed: {}", host(), ec.message()));
    }
    const auto& response = parser.get();
    if (response.result() != http::status::ok) {
      throw AttachError(fmt::format("attach: GET http://{}/json/list answered {}", host(),
                                    response.result_int()));
    }
    const json list = json::parse(response.body(), nullptr, false);
    if (list.is_array()) {
      for (const json& t : list) {
        if (!t.is_object()) continue;
        const auto url = t.find("webSocketDebuggerUrl");
        if (url == t.end() || !url->is_string()) continue;
        const std::string& u = url->get_ref<const std::string&>();
        if (!u.starts_with("ws://")) continue;
        const size_t slash = u.find('/', 5);
        if (slash == std::string::npos) continue;
        const std::string path = u.substr(slash);
        const bool plain = path.find_first_not_of("/abcdefABCDEF0123456789-") == std::string::npos;
        if (!plain) continue;
        if (const auto tt = t.find("title"); tt != t.end() && tt->is_string()) {
          title = tt->get<std::string>();
        }
        return path;
      }
    }
    throw AttachError(fmt::format(
        "attach: {} is not a Node inspector (its /json/list names no WebSocket target)", host()));
  }

  void send(const json& message) {
    const std::string text = message.dump();
    ws.text(true);
    const beast::error_code ec =
        run_with_deadline(ioc, ws.next_layer(), options.connect_timeout,
                          [&](auto h) { ws.async_write(asio::buffer(text), h); });
    if (ec) throw AttachError(fmt::format("attach: sending to {}: {}", host(), ec.message()));
  }

  // One read is kept in flight across calls: a WebSocket read that is cancelled leaves the stream
  // unusable, and idle() must be able to stop waiting without losing the connection.
  bool read_pending = false;
  bool read_done = false;
  beast::error_code read_error;

  // Waits until a message is there or `deadline` passes (false), or `stop` is set (false).
  bool wait_message(Clock::time_point deadline, const std::atomic<bool>* stop) {
    if (!read_pending) {
      buffer.clear();
      read_pending = true;
      read_done = false;
      ws.async_read(buffer, [this](beast::error_code ec, size_t) {
        read_error = ec;
        read_done = true;
      });
    }
    ioc.restart();
    while (!read_done) {
      if (stop && stop->load()) return false;
      const auto slice = std::min(deadline, Clock::now() + std::chrono::milliseconds(100));
      if (ioc.run_one_until(slice) == 0) {
        if (Clock::now() >= deadline) return false;
        ioc.restart();
      }
    }
    read_pending = false;
    return true;
  }

  // The message that wait_message() got; throws on a closed socket and on a message that is not
  // JSON.
  json take_message(uint64_t* frame_bytes) {
    if (read_error) {
      abort_connection();
      if (read_error == websocket::error::closed) {
        throw AttachError(fmt::format("attach: the target closed the inspector connection"));
      }
      throw AttachError(fmt::format("attach: reading from {}: {}", host(), read_error.message()));
    }
    if (frame_bytes) *frame_bytes = buffer.size();
    const auto data = buffer.cdata();
    json message = json::parse(static_cast<const char*>(data.data()),
                               static_cast<const char*>(data.data()) + data.size(), nullptr, false);
    if (!message.is_object()) {
      throw AttachError(fmt::format("attach: {} sent a message that is not a JSON object", host()));
    }
    return message;
  }

  // The next message; throws when none comes within `timeout` seconds.
  json receive(double timeout, uint64_t* frame_bytes = nullptr) {
    if (!wait_message(Clock::now() + seconds(timeout), nullptr)) {
      abort_connection();
      throw AttachError(
          fmt::format("attach: {} sent nothing for {:.0f} s; gave up", host(), timeout));
    }
    return take_message(frame_bytes);
  }

  // Events that matter whatever command is running.
  void common_event(const json& message) {
    if (message.value("method", "") == "NodeRuntime.waitingForDisconnect") {
      // The app finished and waits for us: leave at once so it exits on time.
      abort_connection();
      throw AttachError("attach: the target is exiting (it finished while we were connected)");
    }
  }

  template <typename OnEvent>
  json call(const char* method, json params, OnEvent&& on_event,
            uint64_t* largest_frame = nullptr) {
    const uint64_t id = next_id++;
    json request = {{"id", id}, {"method", method}};
    if (!params.is_null()) request["params"] = std::move(params);
    send(request);
    while (true) {
      uint64_t frame = 0;
      json message = receive(options.message_timeout, &frame);
      if (largest_frame && frame > *largest_frame) *largest_frame = frame;
      if (const auto it = message.find("id"); it != message.end()) {
        if (!it->is_number() || it->get<uint64_t>() != id) continue;
        if (const auto e = message.find("error"); e != message.end()) {
          const std::string text =
              e->is_object() && e->contains("message") && (*e)["message"].is_string()
                  ? (*e)["message"].get<std::string>()
                  : e->dump();
          throw AttachError(fmt::format("attach: {} failed in the target: {}", method, text));
        }
        const auto r = message.find("result");
        return r == message.end() ? json::object() : *r;
      }
      common_event(message);
      on_event(message);
    }
  }

  json call(const char* method, json params = nullptr) {
    return call(method, std::move(params), [](const json&) {});
  }

  void abort_connection() {
    open = false;
    beast::error_code ignored;
    ws.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    ws.next_layer().close(ignored);
  }

  bool close_properly() {
    call("HeapProfiler.disable");
    if (!options.end_inspector) {
      run_with_deadline(ioc, ws.next_layer(), options.close_timeout,
                        [&](auto h) { ws.async_close(websocket::close_code::normal, h); });
      abort_connection();
      return true;
    }
    // process._debugEnd is require('inspector').close on Node 18-24, and exists without
    // `require` in scope; setImmediate runs it after this reply is sent. Nothing here can throw
    // later in the target.
    call("Runtime.evaluate",
         {{"expression", "setImmediate(process._debugEnd), 'closing'"}, {"returnByValue", true}});
    // Keep reading until the target closes: leaving first crashed targets (see the header).
    const auto deadline = Clock::now() + seconds(options.close_timeout);
    while (open && wait_message(deadline, nullptr)) {
      if (read_error) {
        abort_connection();
        return true;
      }
    }
    if (!open) return true;
    // The target did not close in time: close from our side, politely.
    run_with_deadline(ioc, ws.next_layer(), 2.0,
                      [&](auto h) { ws.async_close(websocket::close_code::normal, h); });
    abort_connection();
    return false;
  }
};

InspectorSession::InspectorSession(const SessionOptions& options)
    : impl_(std::make_unique<Impl>(options)) {
  Impl& s = *impl_;
  const std::string path = s.target_path();
  s.connect(s.ws.next_layer(), "the WebSocket");
  s.ws.read_message_max(kMaxMessageBytes);
  s.ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& r) { r.set(http::field::user_agent, "leakscope"); }));
  const beast::error_code ec =
      run_with_deadline(s.ioc, s.ws.next_layer(), options.connect_timeout,
                        [&](auto h) { s.ws.async_handshake(s.host(), path, h); });
  if (ec) {
    s.abort_connection();
    throw AttachError(
        fmt::format("attach: WebSocket handshake with {} failed: {}", s.host(), ec.message()));
  }
  s.open = true;
  s.call("NodeRuntime.notifyWhenWaitingForDisconnect", {{"enabled", true}});
}

InspectorSession::~InspectorSession() {
  // An error left the session open: close it the safe way if we still can.
  if (impl_ && impl_->open) {
    try {
      impl_->close_properly();
    } catch (...) {
      impl_->abort_connection();
    }
  }
}

const std::string& InspectorSession::title() const {
  return impl_->title;
}

MemoryUsage InspectorSession::memory_usage() {
  const json r =
      impl_->call("Runtime.evaluate",
                  {{"expression", "JSON.stringify([process.memoryUsage(), process.version])"},
                   {"returnByValue", true}});
  MemoryUsage m;
  const auto result = r.find("result");
  if (result == r.end() || !result->is_object() || !(*result)["value"].is_string()) {
    throw AttachError("attach: the target did not report process.memoryUsage()");
  }
  const json pair = json::parse((*result)["value"].get<std::string>(), nullptr, false);
  if (!pair.is_array() || pair.size() != 2 || !pair[0].is_object() || !pair[1].is_string()) {
    throw AttachError("attach: the target did not report process.memoryUsage()");
  }
  m.rss = number_field(pair[0], "rss");
  m.heap_total = number_field(pair[0], "heapTotal");
  m.heap_used = number_field(pair[0], "heapUsed");
  m.external = number_field(pair[0], "external");
  m.node_version = pair[1].get<std::string>();
  return m;
}

SnapshotStats InspectorSession::take_snapshot(const SnapshotCallbacks& callbacks) {
  Impl& s = *impl_;
  SnapshotStats stats;
  const auto start = Clock::now();
  s.call("HeapProfiler.enable");
  s.call("HeapProfiler.collectGarbage");
  std::exception_ptr held;
  const json params = {
      {"reportProgress", true}, {"captureNumericValue", false}, {"exposeInternals", false}};
  s.call(
      "HeapProfiler.takeHeapSnapshot", params,
      [&](const json& message) {
        const std::string method = message.value("method", "");
        const auto p = message.find("params");
        if (p == message.end() || !p->is_object()) return;
        if (method == "HeapProfiler.addHeapSnapshotChunk") {
          const auto c = p->find("chunk");
          if (c == p->end() || !c->is_string()) return;
          const std::string& chunk = c->get_ref<const std::string&>();
          ++stats.chunks;
          stats.bytes += chunk.size();
          if (held || !callbacks.chunk) return;
          try {
            callbacks.chunk(chunk);
          } catch (...) {
            held = std::current_exception();
          }
        } else if (method == "HeapProfiler.reportHeapSnapshotProgress" && callbacks.progress) {
          try {
            callbacks.progress(number_field(*p, "done"), number_field(*p, "total"),
                               p->value("finished", false));
          } catch (...) {
            if (!held) held = std::current_exception();
          }
        }
      },
      &stats.largest_frame);
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (held) std::rethrow_exception(held);
  return stats;
}

bool InspectorSession::idle(double wait_seconds, const std::atomic<bool>* stop) {
  Impl& s = *impl_;
  const auto deadline = Clock::now() + seconds(wait_seconds);
  while (s.wait_message(deadline, stop)) {
    const json message = s.take_message(nullptr);
    s.common_event(message);
  }
  return !(stop && stop->load());
}

bool InspectorSession::close() {
  if (!impl_->open) return true;
  return impl_->close_properly();
}

}  // namespace leakscope::live
