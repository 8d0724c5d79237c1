#include "dpi/NdpiModule.h"

// The module's layout (its caches), which nDPI 4.2 declares for itself only;
// checked against the library at start (NdpiModule's constructor).
#define NDPI_LIB_COMPILATION
#include <ndpi_api.h>
#undef NDPI_LIB_COMPILATION

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace netflow {
namespace {

// nDPI 4.2's module set-up touches process-wide state the first time only:
// libgcrypt's initialisation (checked, then done, without a lock) and its
// n-gram tables for DGA names (a flag set before the tables are filled);
// a table of printable characters is made the same way at the first packet
// that needs it. The process's first module is therefore made alone, under
// a lock, and it makes that table too; once it is made, every later one (the flow workers' of a
// threaded run, each on its own thread) is made in parallel without one. The rest of the set-up,
// the packets and the tear-down touch only the module's own memory (and counters nDPI keeps
// atomically or never reads), so they need no lock.
std::mutex &firstModuleLock() {
    static std::mutex lock;
    return lock;
}
std::atomic<bool> first_module_made{false};

ndpi_detection_module_struct *buildModule() {
    ndpi_detection_module_struct *module = ndpi_init_detection_module(ndpi_no_prefs);
    if (!module)
        return nullptr;
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(module, &all);
    ndpi_finalize_initialization(module);
    return module;
}

ndpi_detection_module_struct *newModule() {
    if (first_module_made.load(std::memory_order_acquire))
        return buildModule();
    std::lock_guard<std::mutex> hold(firstModuleLock());
    ndpi_detection_module_struct *module = buildModule();
    if (module) {
        char text[] = "abcd", out[8];
        ndpi_has_human_readeable_string(module, text, 4, 1, out, sizeof(out));
        first_module_made.store(true, std::memory_order_release);
    }
    return module;
}

}  // namespace

void NdpiFlowDeleter::operator()(ndpi_flow_struct *flow) const {
    ndpi_flow_free(flow);  // the struct and whatever nDPI allocated inside it
}

NdpiModule::NdpiModule(bool cross_flow_caches)
    : module_(newModule()), cross_flow_caches_(cross_flow_caches) {
    if (!module_)
        throw std::runtime_error("nDPI could not initialise its detection module");
    // The caches sit just before proto_defaults: if the library's layout is
    // not the header's, touching them would corrupt it.
    if (!cross_flow_caches_ && ndpi_get_proto_defaults(module_) != module_->proto_defaults) {
        ndpi_exit_detection_module(module_);
        throw std::runtime_error(
            "nDPI's module layout is not its header's: cannot turn off its "
            "cross-flow caches");
    }
}

NdpiModule::~NdpiModule() {
    ndpi_exit_detection_module(module_);
}

NdpiFlowPtr NdpiModule::newFlow() const {
    auto *flow = static_cast<ndpi_flow_struct *>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT));
    if (!flow)
        throw std::bad_alloc();
    std::memset(flow, 0, SIZEOF_FLOW_STRUCT);
    return NdpiFlowPtr(flow);
}

NdpiModule::Step NdpiModule::process(ndpi_flow_struct *flow, const uint8_t *l3, uint32_t l3_len,
                                     uint64_t time_ms) const {
    // nDPI takes a 16-bit length; IP packets never exceed it.
    auto len = static_cast<unsigned short>(l3_len > 0xFFFF ? 0xFFFF : l3_len);
    ndpi_protocol proto = ndpi_detection_process_packet(module_, flow, l3, len, time_ms);
    dropCaches();
    // Done when an app protocol is known and nDPI will not dissect further:
    // ndpiReader's rule (no extra dissection possible), or nDPI has already
    // stopped its extra dissection (its per-protocol packet limit), after
    // which it returns the same answer for every packet without looking.
    bool done = proto.app_protocol != NDPI_PROTOCOL_UNKNOWN &&
                (!flow->check_extra_packets || !ndpi_extra_dissection_possible(module_, flow));
    return {{proto.master_protocol, proto.app_protocol}, done};
}

void NdpiModule::dropCaches() const {
    if (cross_flow_caches_)
        return;
    // nDPI 4.2 makes each cache when a dissector first adds to it; emptied
    // after every packet, no flow ever finds another's entry. (Its tinc
    // cache is keyed by both addresses: per host pair, which a threaded
    // run keeps on one worker.)
    for (ndpi_lru_cache **cache :
         {&module_->ookla_cache, &module_->bittorrent_cache, &module_->zoom_cache,
          &module_->stun_cache, &module_->tls_cert_cache, &module_->mining_cache,
          &module_->msteams_cache}) {
        if (*cache) {
            ndpi_lru_free_cache(*cache);
            *cache = nullptr;
        }
    }
}

L7Protocol NdpiModule::giveUp(ndpi_flow_struct *flow) const {
    uint8_t guessed = 0;
    ndpi_protocol proto = ndpi_detection_giveup(module_, flow, 1, &guessed);
    return {proto.master_protocol, proto.app_protocol};
}

L7Protocol NdpiModule::guess(uint8_t proto, const uint8_t *saddr, uint16_t sport,
                             const uint8_t *daddr, uint16_t dport, bool ipv4) const {
    // nDPI's address guess takes IPv4 in host order; IPv6 gets ports only.
    auto host32 = [ipv4](const uint8_t *a) -> uint32_t {
        return ipv4 ? (uint32_t(a[0]) << 24 | uint32_t(a[1]) << 16 | uint32_t(a[2]) << 8 | a[3])
                    : 0;
    };
    ndpi_protocol guessed = ndpi_guess_undetected_protocol(module_, nullptr, proto, host32(saddr),
                                                           sport, host32(daddr), dport);
    return {guessed.master_protocol, guessed.app_protocol};
}

std::string NdpiModule::name(L7Protocol proto) const {
    char buf[64];
    ndpi_protocol p{proto.master, proto.app, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED};
    return ndpi_protocol2name(module_, p, buf, sizeof(buf));
}

uint16_t NdpiModule::protocolCount() const {
    return static_cast<uint16_t>(ndpi_get_num_supported_protocols(module_));
}

std::string NdpiModule::serverName(const ndpi_flow_struct *flow) {
    return std::string(flow->host_server_name,
                       strnlen(flow->host_server_name, sizeof(flow->host_server_name)));
}

}  // namespace netflow
