#include "flow/FlowTable.h"

#include <algorithm>
#include <cstring>

#include "flow/FlowKeyHash.h"
#include "flow_count.h"

namespace netflow {
namespace {

constexpr size_t kInitialSlots = 1024;

}  // namespace

static_assert(kNoFlow == SlotIndex::kEmpty, "find() returns the index's empty id");

FlowTable::FlowTable(const nf_timeouts &timeouts) : timeouts_(timeouts), slots_(kInitialSlots) {}

size_t FlowTable::slotOf(const nf_flow_key &key, uint32_t hash) const {
    return slots_.find(hash, [&](uint32_t id) { return sameFlowKey(records_[id].key, key); });
}

uint32_t FlowTable::find(const nf_flow_key &key, uint32_t hash) const {
    return slots_.id(slotOf(key, hash));
}

void FlowTable::prefetchRecord(uint32_t hash) const {
    const uint32_t id = slots_.homeId(hash);
    if (id == kNoFlow)
        return;
    // The key and the counters nf_flow_count touches first.
    const char *rec = reinterpret_cast<const char *>(&records_[id]);
    for (size_t line = 0; line < 256; line += 64)
        prefetchLine(rec + line);
}

uint32_t FlowTable::insert(const nf_flow_key &key, uint32_t hash, uint64_t first_seen) {
    slots_.makeRoom(count_ + 1);

    uint32_t id;
    if (free_head_ != kNoFlow) {
        id = free_head_;
        free_head_ = records_[id].by_first.next;
        records_[id] = FlowRecord{};
    } else {
        id = static_cast<uint32_t>(records_.size());
        records_.emplace_back();
    }
    FlowRecord &rec = records_[id];
    rec.key = key;
    std::memset(&rec.state, 0, sizeof(rec.state));
    rec.first_seen = first_seen;

    slots_.set(slotOf(key, hash), hash, id);
    count_++;
    pushBack(by_last_, &FlowRecord::by_last, id);
    pushBack(by_first_, &FlowRecord::by_first, id);
    return id;
}

void FlowTable::touch(uint32_t id) {
    FlowRecord &rec = records_[id];
    // Cheap and always right: this flow's own deadline bounds the earliest.
    no_expiry_until_ =
        std::min<uint64_t>(no_expiry_until_, nf_flow_deadline_us(&rec.state, &timeouts_));
    // An ended TCP flow leaves the idle list for the ended one, also by
    // last packet time, where its deadline (last + the shorter of the
    // linger and the idle timeout) comes first.
    List &list = rec.state.ended ? by_end_ : by_last_;
    if (list.tail != id) {  // bursts of one flow need no move
        unlink(rec.in_end_list ? by_end_ : by_last_, &FlowRecord::by_last, id);
        pushBack(list, &FlowRecord::by_last, id);
    }
    if (rec.state.ended)
        rec.in_end_list = true;
}

void FlowTable::collectExpired(uint64_t now_us, std::vector<uint32_t> &out) {
    if (now_us <= no_expiry_until_)
        return;
    size_t start = out.size();
    // Each list's head is its earliest deadline; a flow may be due in
    // several lists, so mark what is taken and unlink it from all.
    auto take = [&](List &list, LinksOf links) {
        while (list.head != kNoFlow &&
               nf_flow_expired(&records_[list.head].state, now_us, &timeouts_)) {
            uint32_t id = list.head;
            unlink(list, links, id);
            out.push_back(id);
        }
    };
    take(by_first_, &FlowRecord::by_first);
    take(by_last_, &FlowRecord::by_last);
    take(by_end_, &FlowRecord::by_last);

    // Deadlines are strict: a flow expires when now > deadline. Whichever
    // of its deadlines comes first, the flow that has it heads one of the
    // lists, so the heads' own deadlines (the core's rule) give the earliest.
    uint64_t next = UINT64_MAX;
    for (const List *list : {&by_first_, &by_last_, &by_end_}) {
        if (list->head != kNoFlow)
            next = std::min<uint64_t>(next,
                                      nf_flow_deadline_us(&records_[list->head].state, &timeouts_));
    }
    no_expiry_until_ = next;

    if (out.size() == start)
        return;
    std::sort(
        out.begin() + static_cast<ptrdiff_t>(start), out.end(),
        [this](uint32_t a, uint32_t b) { return records_[a].first_seen < records_[b].first_seen; });
    out.erase(std::unique(out.begin() + static_cast<ptrdiff_t>(start), out.end()), out.end());
}

void FlowTable::collectAll(std::vector<uint32_t> &out) const {
    out.reserve(out.size() + count_);  // exact: no growth copies at the final flush
    for (uint32_t id = by_first_.head; id != kNoFlow; id = records_[id].by_first.next)
        out.push_back(id);
}

void FlowTable::erase(uint32_t id) {
    FlowRecord &rec = records_[id];
    // collectExpired may already have unlinked it from some lists.
    auto linked = [&](const List &list, LinksOf links) {
        return list.head == id || (rec.*links).prev != kNoFlow;
    };
    List &by_last = rec.in_end_list ? by_end_ : by_last_;
    if (linked(by_last, &FlowRecord::by_last))
        unlink(by_last, &FlowRecord::by_last, id);
    if (linked(by_first_, &FlowRecord::by_first))
        unlink(by_first_, &FlowRecord::by_first, id);

    slots_.erase(slotOf(rec.key, hashFlowKey(rec.key)));
    count_--;
    rec.cls = FlowClassification{};
    // The free list runs through the unused records' links: no side array.
    rec.by_first.next = free_head_;
    free_head_ = id;
}

void FlowTable::pushBack(List &list, LinksOf links, uint32_t id) {
    ListLinks &l = records_[id].*links;
    l.prev = list.tail;
    l.next = kNoFlow;
    if (list.tail != kNoFlow)
        (records_[list.tail].*links).next = id;
    else
        list.head = id;
    list.tail = id;
}

void FlowTable::unlink(List &list, LinksOf links, uint32_t id) {
    ListLinks &l = records_[id].*links;
    if (l.prev != kNoFlow)
        (records_[l.prev].*links).next = l.next;
    else
        list.head = l.next;
    if (l.next != kNoFlow)
        (records_[l.next].*links).prev = l.prev;
    else
        list.tail = l.prev;
    l.prev = l.next = kNoFlow;
}

}  // namespace netflow
