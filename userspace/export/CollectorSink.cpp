#include "export/CollectorSink.h"

#include <ctime>

#include "export/TcpSender.h"
#include "export/UdpSender.h"

namespace netflow {
namespace {

WireFormat formatOf(ExportScheme scheme) {
    return scheme == ExportScheme::Netflow9 ? WireFormat::Netflow9 : WireFormat::Ipfix;
}

std::string count(uint64_t n, const char *what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

uint32_t nowSeconds() {
    return static_cast<uint32_t>(std::time(nullptr));
}

}  // namespace

const char *schemeName(ExportScheme scheme) {
    switch (scheme) {
        case ExportScheme::Ipfix:
            return "ipfix";
        case ExportScheme::IpfixTcp:
            return "ipfix+tcp";
        case ExportScheme::Netflow9:
            return "netflow9";
        case ExportScheme::Kafka:
            return "kafka";
    }
    return "?";
}

CollectorSink::CollectorSink(const ExportTarget &target, const ExportSettings &settings,
                             const std::vector<SelectedColumn> &columns,
                             const FlowFeatures &features, L7NameTable l7_names,
                             std::unique_ptr<MessageSender> sender)
    : target_(target),
      settings_(settings),
      columns_(columns),
      features_(features),
      l7_names_(std::move(l7_names)),
      encoder_(formatOf(target.scheme), columns, features, settings.observation_domain,
               settings.mtu),
      sender_(std::move(sender)),
      in_band_templates_(sender_->templatesInBand()) {}

CollectorSink::CollectorSink(const ExportTarget &target, const ExportSettings &settings,
                             const std::vector<SelectedColumn> &columns,
                             const FlowFeatures &features, L7NameTable l7_names)
    : CollectorSink(target, settings, columns, features, std::move(l7_names),
                    target.scheme == ExportScheme::IpfixTcp
                        ? std::unique_ptr<MessageSender>(std::make_unique<TcpSender>(
                              target.host, target.port, settings.queue_messages))
                        : std::unique_ptr<MessageSender>(
                              std::make_unique<UdpSender>(target.host, target.port))) {
    if (!in_band_templates_)
        static_cast<TcpSender &>(*sender_).setPreamble(sessionPreamble());
}

CollectorSink::~CollectorSink() {
    finish();
}

// TCP: the templates and the names, sent by the sender at each connection.
std::vector<std::vector<uint8_t>> CollectorSink::sessionPreamble() {
    MessageEncoder enc(encoder_.format(), columns_, features_, settings_.observation_domain,
                       settings_.mtu);
    std::vector<std::vector<uint8_t>> out;
    auto take = [&] {
        auto m = enc.take(nowSeconds(), 0);
        out.emplace_back(m.begin(), m.end());
    };
    enc.appendTemplates();
    for (const auto &[id, name] : l7_names_) {
        if (!enc.appendL7Name(id, name)) {
            take();
            enc.appendL7Name(id, name);
        }
    }
    take();
    return out;
}

void CollectorSink::appendNames() {
    for (const auto &[id, name] : l7_names_) {
        if (!encoder_.appendL7Name(id, name)) {
            sendCurrent();
            encoder_.appendL7Name(id, name);
        }
    }
}

void CollectorSink::startMessage() {
    if (!in_band_templates_)
        return;
    const Clock::time_point now = Clock::now();
    const bool timed =
        !templates_sent_ ||
        now - last_templates_ >= std::chrono::duration<double>(settings_.template_interval_s);
    if (!timed && messages_since_templates_ < settings_.template_packets)
        return;
    encoder_.appendTemplates();
    message_has_templates_ = true;
    templates_sent_ = true;
    messages_since_templates_ = 0;
    if (timed) {
        last_templates_ = now;
        appendNames();
    }
}

void CollectorSink::sendCurrent() {
    if (encoder_.empty())
        return;
    const uint32_t flows = encoder_.flowsInMessage();
    const auto uptime =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
    auto message = encoder_.take(nowSeconds(), static_cast<uint32_t>(uptime.count()));
    sender_->send(message, flows);
    if (message_has_templates_)
        template_messages_++;
    message_has_templates_ = false;
    messages_since_templates_++;
}

void CollectorSink::exportFlow(const FlowRecord &flow) {
    if (encoder_.empty())
        startMessage();
    if (!encoder_.appendFlow(flow)) {
        sendCurrent();
        startMessage();
        encoder_.appendFlow(flow);
    }
    flows_exported_++;
}

void CollectorSink::flush() {
    if (!finished_)
        sendCurrent();
}

Result<void> CollectorSink::finish() {
    if (finished_)
        return {};
    finished_ = true;
    if (!templates_sent_ && in_band_templates_)
        startMessage();  // a run without flows still tells the collector its templates
    sendCurrent();
    Result<void> done = sender_->finish();
    counters_ = sender_->counters();
    if (!done)
        return Result<void>::failure("--export " + target_.uri + ": " + done.error());
    return {};
}

std::string CollectorSink::summary() const {
    const SendCounters &c = counters_;
    std::string out = "netflow: export " + target_.uri + ": " + count(c.flows, "flow") +
                      " sent in " + count(c.messages, "message") + " (" + std::to_string(c.bytes) +
                      " bytes";
    if (in_band_templates_)
        out += ", " + std::to_string(template_messages_) + " with templates";
    out += ")";
    if (c.reconnects)
        out += "; " + count(c.reconnects, "reconnection");
    if (c.refused)
        out += "; " + count(c.refused, "message") + " refused (collector port unreachable)";
    if (c.failed)
        out += "; " + count(c.failed, "message") + " not sent (" + c.last_error + ")";
    if (c.flows_lost)
        out += "; " + count(c.flows_lost, "flow") + " lost";
    return out;
}

}  // namespace netflow
