// What a connection's gob type table costs: definitions kept in about the
// bytes they took on the wire, given back when rolled back or dropped, and
// bounded together by a TypeBudget shared between tables.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_type_memory {

using namespace gobtest;

namespace {

// A struct type of `fields` int fields with short names, and its bytes on
// the wire (the definition message's payload).
std::pair<gob::WireType, std::size_t> wide_struct(gob::TypeId id, int fields) {
    std::vector<gob::WireField> fs;
    for (int f = 0; f < fields; ++f) fs.push_back({"F" + std::to_string(f % 10), gob::kInt});
    gob::WireType t = wire_struct("Wide" + std::to_string(id), std::move(fs));
    std::string p;
    gob::put_int(p, -static_cast<std::int64_t>(id));
    gob::write_wire_type(p, t);
    return {std::move(t), p.size()};
}

} // namespace

TEST_CASE("a gob type table holds at most twice the wire bytes of the struct definitions in it") {
    for (int fields : {1, 10, 100, 1000}) {
        gob::TypeTable table;
        std::size_t empty = table.memory(), wire = 0;
        for (gob::TypeId id = 65; wire + 20000 < gob::TypeTable::kMaxDefinitionBytes && table.mark() < gob::TypeTable::kMaxTypes; ++id) {
            auto [t, bytes] = wide_struct(id, fields);
            table.define(id, t, bytes);
            wire += bytes;
        }
        INFO(fields << " fields a type: " << wire << " bytes on the wire, " << table.memory() - empty << " held");
        // A type costs 40 bytes and its index entry besides its fields; a
        // type of one field takes 27 bytes on the wire, so tables of such
        // types hold about 3 times their wire bytes (at most 4096 types:
        // 350 KiB). Structs of a few fields and more hold less than twice.
        CHECK(table.memory() - empty <= (fields == 1 ? 7 * wire / 2 : 2 * wire));
        // Read back as defined.
        const gob::TypeRef* t = table.find(65);
        REQUIRE(t);
        CHECK(t->name() == "Wide65");
        CHECK(t->fields().size() == static_cast<std::size_t>(fields));
        CHECK(t->fields()[0].name == "F0");
        CHECK(t->fields()[fields - 1].id == gob::kInt);
    }
}

TEST_CASE("a rolled-back gob definition gives its memory back, however often it is made again") {
    gob::TypeTable table;
    auto [t, bytes] = wide_struct(65, 50);
    table.define(65, t, bytes);
    std::size_t one = table.memory();
    for (int i = 0; i < 1000; ++i) {
        std::size_t mark = table.mark();
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
