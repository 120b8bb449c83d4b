// What a connection's gob type table costs: definitions kept in less than
// twice the bytes they took on the wire (measured by the allocator), given
// back when rolled back or dropped, and bounded together by a TypeBudget
// shared between tables.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

#include <malloc.h>

#include <iostream>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_type_memory {

using namespace gobtest;

namespace {

// The payload of a definition message as Go's encoder writes it (the
// negated id, then the wireType with CommonType's Name and Id set).
std::size_t wire_size(gob::TypeId id, const gob::WireType& t) {
    std::string p;
    gob::put_int(p, -static_cast<std::int64_t>(id));
    gob::write_wire_type(p, t);
    return p.size();
}

// A struct type of `fields` int fields with short names, and its bytes on
// the wire (the definition message's payload).
std::pair<gob::WireType, std::size_t> wide_struct(gob::TypeId id, int fields) {
    std::vector<gob::WireField> fs;
    for (int f = 0; f < fields; ++f) fs.push_back({"F" + std::to_string(f % 10), gob::kInt});
    gob::WireType t = wire_struct("Wide" + std::to_string(id), std::move(fs));
    return {t, wire_size(id, t)};
}

// Bytes the allocator has handed out and not taken back: what a table
// really costs, whatever it reports.
std::size_t heap_in_use() {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kPlainMalloc = false; // the sanitizers' allocators pad every block
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
constexpr bool kPlainMalloc = false;
#else
constexpr bool kPlainMalloc = true;
#endif
#else
constexpr bool kPlainMalloc = true;
#endif

// Type definitions as Go writes them, named as Go names them.
struct Shape {
    const char* what;
    gob::WireType (*make)(gob::TypeId id);
};

gob::WireType with_id(gob::TypeId id, gob::WireType t) {
    t.id = id;
    return t;
}

const Shape kShapes[] = {
    {"struct, 1 field", [](gob::TypeId id) { return with_id(id, wire_struct("T" + std::to_string(id), {{"N", gob::kInt}})); }},
    {"struct, 3 fields", [](gob::TypeId id) {
         return with_id(id, wire_struct("Point" + std::to_string(id), {{"X", gob::kInt}, {"Y", gob::kInt}, {"Label", gob::kString}}));
     }},
    {"struct, 10 fields", [](gob::TypeId id) { return with_id(id, wide_struct(id, 10).first); }},
    {"struct, 100 fields", [](gob::TypeId id) { return with_id(id, wide_struct(id, 100).first); }},
    {"struct, 1000 fields", [](gob::TypeId id) { return with_id(id, wide_struct(id, 1000).first); }},
    {"nested struct", [](gob::TypeId id) { // each holds the one before
         return with_id(id, wire_struct("Node" + std::to_string(id), {{"Next", id - 1}, {"Name", gob::kString}}));
     }},
    {"map typedef", [](gob::TypeId id) {
         gob::WireType t = wire_map(gob::kString, id - 1);
         t.name = "map[string]main.T" + std::to_string(id - 1);
         return with_id(id, t);
     }},
    {"slice typedef", [](gob::TypeId id) { return with_id(id, wire_slice(id - 1, "[]main.T" + std::to_string(id - 1))); }},
    {"array typedef", [](gob::TypeId id) {
         gob::WireType t = wire_array(gob::kInt, 4);
         t.name = "[4]int";
         return with_id(id, t);
     }},
};

} // namespace

TEST_CASE("a gob type table holds at most twice the wire bytes of the definitions in it") {
    // What is allocated once and kept (gob's own types, the output's
    // buffer) before the first figure is taken.
    CHECK(gob::TypeTable().find(16) != nullptr);
    std::cout << "What gob type tables hold, measured by the allocator (mallinfo2):\n";
    for (const Shape& shape : kShapes) {
        std::size_t before = heap_in_use(), wire = 0, types = 0;
        {
            gob::TypeTable table;
            for (gob::TypeId id = 65; table.size() < gob::TypeTable::kMaxTypes; ++id) {
                gob::WireType t = shape.make(id);
                std::size_t bytes = wire_size(id, t);
                if (wire + bytes > gob::TypeTable::kMaxDefinitionBytes) break;
                table.define(id, t, bytes);
                wire += bytes;
            }
            types = table.size();
            std::size_t allocated = heap_in_use() - before, reported = table.memory();
            std::cout << shape.what << ": " << types << " types, " << wire << " bytes on the wire (" << wire / types
                      << " a type); held " << reported << " reported, " << allocated << " allocated: "
                      << double(allocated) / double(wire) << " allocated per byte sent\n";
            INFO(shape.what << ": " << wire << " bytes on the wire, " << reported << " reported, " << allocated
                            << " allocated");
            CHECK(reported <= 2 * wire);
            if (kPlainMalloc) {
                CHECK(allocated <= 2 * wire);
                // The figure the budget is charged is the allocator's, within a few percent.
                CHECK(allocated <= reported + reported / 16 + 1024);
            }
            // Read back as defined.
            gob::WireType want = shape.make(65);
            const gob::TypeRef* t = table.find(65);
            REQUIRE(t);
            CHECK(t->id == 65);
            CHECK(t->kind == want.kind);
            CHECK(t->name() == want.name);
            CHECK(t->elem() == want.elem);
            CHECK(t->key() == want.key);
            CHECK(t->len() == want.len);
            REQUIRE(t->fields().size() == want.fields.size());
            for (std::size_t i = 0; i < want.fields.size(); ++i) {
                CHECK(t->fields()[i].name == want.fields[i].name);
                CHECK(t->fields()[i].id == want.fields[i].id);
            }
            CHECK(table.find(static_cast<gob::TypeId>(65 + types)) == nullptr);
            CHECK(table.find(static_cast<gob::TypeId>(64 + types)) != nullptr);
        }
        if (kPlainMalloc) CHECK(heap_in_use() <= before + 16384); // given back (all but the allocator's caches)
    }
}

TEST_CASE("gob's own types are found in every table, and the peer's ids below 64 are refused") {
    gob::TypeTable a, b;
    for (gob::TypeId id = 16; id <= 24; ++id) {
        REQUIRE(a.find(id));
        CHECK(a.find(id) == b.find(id)); // one copy for every table
        CHECK(a.known_complete(id));
        CHECK_FALSE(a.may_hold_interface(id));
    }
    CHECK(a.find(16)->fields()[2].name == "StructT");
    CHECK(a.find(22)->elem() == 21);
    CHECK(a.name_of(22) == "[]*gob.fieldType");
    CHECK(a.find(25) == nullptr);
    CHECK_THROWS_WITH(a.define(20, wire_struct("X", {}), 4), "gob: duplicate type received");
    CHECK(a.memory() == 0);
}

TEST_CASE("a gob type table answers what values of a type may hold, and forgets it on rollback") {
    gob::TypeTable table;
    table.define(65, wire_struct("Box", {{"V", 66}}), 10);
    CHECK_FALSE(table.may_hold_interface(65)); // 66 unknown: not remembered
    auto mark = table.mark();
    table.define(66, wire_slice(gob::kInterface, "[]interface {}"), 10);
    CHECK(table.may_hold_interface(65));
    table.rollback(mark);
    CHECK(table.find(66) == nullptr);
    table.define(66, wire_slice(gob::kInt, "[]int"), 10);
    CHECK_FALSE(table.may_hold_interface(65));
    table.set_complete(65);
    CHECK(table.known_complete(65));
    CHECK_FALSE(table.known_complete(66));
}

TEST_CASE("a gob type table rolls back definitions that span arena blocks") {
    gob::TypeTable table;
    for (gob::TypeId id = 100; id < 110; ++id) table.define(id, wide_struct(id, 3).first, 30);
    auto mark = table.mark();
    std::size_t held = table.memory();
    // Ids below and above the kept ones, in several blocks of the arena.
    for (gob::TypeId id = 65; id < 100; ++id) table.define(id, wide_struct(id, 200).first, 1000);
    for (gob::TypeId id = 110; id < 140; ++id) table.define(id, wide_struct(id, 5).first, 50);
    CHECK(table.size() == 75);
    table.rollback(mark);
    CHECK(table.size() == 10);
    CHECK(table.memory() <= held + 1024); // the index keeps its capacity
    for (gob::TypeId id = 65; id < 140; ++id) {
        const gob::TypeRef* t = table.find(id);
        if (id < 100 || id >= 110) {
            CHECK(t == nullptr);
            continue;
        }
        REQUIRE(t);
        CHECK(t->name() == "Wide" + std::to_string(id));
        CHECK(t->fields().size() == 3);
        CHECK(t->fields()[2].name == "F2");
    }
    table.define(65, wide_struct(65, 2).first, 20); // defined again, afresh
    CHECK(table.find(65)->fields().size() == 2);
}

TEST_CASE("a rolled-back gob definition gives its memory back, however often it is made again") {
    gob::TypeTable table;
    auto [t, bytes] = wide_struct(65, 50);
    table.define(65, t, bytes);
    std::size_t one = table.memory();
    for (int i = 0; i < 1000; ++i) {
        auto mark = table.mark();
        auto [u, n] = wide_struct(66, 500);
        table.define(66, u, n);
        table.rollback(mark);
    }
    CHECK(table.memory() <= one + 64); // the list of definitions may keep its capacity
    CHECK(table.find(66) == nullptr);
    CHECK(table.find(65) != nullptr);
}

TEST_CASE("tables sharing a TypeBudget are refused beyond it and give it back when dropped") {
    gob::TypeBudget budget(256 * 1024);
    auto fill = [](gob::TypeTable& table, int fields) {
        for (gob::TypeId id = 65; id < 65 + 100; ++id) {
            auto [t, bytes] = wide_struct(id, fields);
            table.define(id, t, bytes);
        }
    };
    std::string refused;
    {
        gob::TypeTable a(&budget), b(&budget);
        fill(a, 100); // about 100 KiB
        CHECK(budget.held() == a.memory() + b.memory());
        try {
            fill(b, 300); // about 300 KiB
        } catch (const gob::Error& e) {
            refused = e.what();
        }
        CHECK(budget.held() <= budget.limit());
    }
    CHECK(refused.find("the server's limit of 262144") != std::string::npos);
    CHECK(budget.held() == 0);
}

} // namespace unit_gob_type_memory
