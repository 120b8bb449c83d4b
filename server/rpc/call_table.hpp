// The call table: what a plugin's `plrpc_call*` names.
//
// A handle is a slot index and that slot's generation, never a pointer.
// Slots live in chunks that are never freed, so any handle a plugin hands
// back — stale, repeated, or made up — can be checked without touching
// memory that may have been freed: the slot's one atomic word holds its
// generation, whether its call is still open (waiting for its answer) and
// how many references to the call are held. A call's memory is freed when
// it has ended and the last reference is dropped; its slot then gets a new
// generation before it serves another call, so an old handle never reaches
// the new call.
//
// Per call the cost is a slot from a per-thread cache, two stores, and one
// atomic operation per reference taken or dropped.
#pragma once

#include <plugrpc/abi.h>

#include <cstdint>
#include <functional>

namespace plugrpc {

struct Call;

namespace call_table {

struct Slot; // call_table.cpp

// Give `call` a slot: open, with one reference (the caller's). Sets
// call->handle and call->slot. False when every slot is taken (2^24 calls
// at once).
bool open(Call* call);

// A reference to the open call `handle` names; null when it names none (a
// null or made-up handle, or a call that has ended). Drop it with release().
Call* acquire(plrpc_call* handle);

// Whether `handle` names an open call, without taking a reference.
bool is_open(plrpc_call* handle);
// Whether `call`, to which the caller holds a reference, is still open.
bool is_open(const Call* call);

// End `call` (the caller holds a reference): from now on its handle is
// refused. True for the one caller that ended it.
bool end(Call* call);

// Drop a reference; the last one, once the call has ended, deletes it and
// frees its slot.
void release(Call* call);

// Every open call's handle, at the time its slot is looked at (for a stop).
void for_each_open(const std::function<void(plrpc_call*)>& fn);

// The call whose handler runs on this thread (set by the dispatcher): host
// functions given its handle use the handler's reference instead of taking
// one of their own.
inline constinit thread_local Call* t_running = nullptr;

} // namespace call_table
} // namespace plugrpc
