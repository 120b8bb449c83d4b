// Kitchen: a test service whose arguments and replies use every kind of
// value the SDK supports — integers of every width and sign, float32 and
// float64, bool, string, []byte, slices, fixed arrays, maps with string and
// integer keys, nested structs, slices and maps of structs.
//
// tests/interop/kitchen/kitchen.go serves the same methods from Go; the
// interop tests call both with Go's own clients and compare the replies.
#include <plugrpc/plugin.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace kitchen {

struct Point {
    std::int32_t X, Y;
    std::string Label;
};
BOOST_DESCRIBE_STRUCT(Point, (), (X, Y, Label))

struct Everything {
    bool Flag;
    std::int8_t I8;
    std::int16_t I16;
    std::int32_t I32;
    std::int64_t I64;
    std::uint8_t U8;
    std::uint16_t U16;
    std::uint32_t U32;
    std::uint64_t U64;
    float F32;
    double F64;
    std::string Text;
    std::vector<std::uint8_t> Bytes;
    std::vector<std::int64_t> Ints;
    std::vector<std::uint64_t> Uints;
    std::vector<std::string> Strings;
    std::vector<double> Floats;
    std::vector<float> Floats32;
    std::array<std::int32_t, 3> Triple;
    std::array<std::uint8_t, 4> Quad;
    std::array<bool, 2> Switches;
    std::map<std::string, std::int64_t> Counts;
    std::map<std::int64_t, std::string> Names;
    std::map<std::uint8_t, bool> Flags;
    std::map<std::string, std::vector<std::string>> Groups;
    std::vector<std::vector<std::int32_t>> Matrix;
    Point Origin;
    std::vector<Point> Path;
    std::map<std::string, Point> Places;
};
BOOST_DESCRIBE_STRUCT(Everything, (),
                      (Flag, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Text, Bytes, Ints, Uints, Strings,
                       Floats, Floats32, Triple, Quad, Switches, Counts, Names, Flags, Groups, Matrix, Origin,
                       Path, Places))

struct Leaf {
    std::string Name;
    std::vector<std::int32_t> Values;
};
BOOST_DESCRIBE_STRUCT(Leaf, (), (Name, Values))

struct Branch {
    std::string Name;
    std::vector<Leaf> Leaves;
    std::map<std::string, Leaf> Index;
};
BOOST_DESCRIBE_STRUCT(Branch, (), (Name, Leaves, Index))

struct Tree {
    std::string Name;
    Branch Root;
    std::vector<Branch> Branches;
    std::map<std::int32_t, Branch> ById;
    std::uint32_t LeafCount;
};
BOOST_DESCRIBE_STRUCT(Tree, (), (Name, Root, Branches, ById, LeafCount))

struct Stats {
    std::int64_t Count;
    double Min, Max, Mean;
};
BOOST_DESCRIBE_STRUCT(Stats, (), (Count, Min, Max, Mean))

struct Limits {
    std::int8_t MinI8, MaxI8;
    std::int16_t MinI16, MaxI16;
    std::int32_t MinI32, MaxI32;
    std::int64_t MinI64, MaxI64;
    std::uint8_t MaxU8;
    std::uint16_t MaxU16;
    std::uint32_t MaxU32;
    std::uint64_t MaxU64;
    float MaxF32, SmallestF32;
    double MaxF64, SmallestF64;
};
BOOST_DESCRIBE_STRUCT(Limits, (),
                      (MinI8, MaxI8, MinI16, MaxI16, MinI32, MaxI32, MinI64, MaxI64, MaxU8, MaxU16, MaxU32, MaxU64,
                       MaxF32, SmallestF32, MaxF64, SmallestF64))

struct Empty {};
BOOST_DESCRIBE_STRUCT(Empty, (), ())

struct FailArgs {
    std::string Message;
};
BOOST_DESCRIBE_STRUCT(FailArgs, (), (Message))

// ---- Describe: a canonical text of a value, the same as kitchen.go's ------
//
// bool true/false; integers in decimal; floats as their IEEE bits in hex
// (exact, and printed alike by C++ and Go); strings and []byte as hex bytes;
// slices and arrays [a,b]; maps {k:v,...} in key order; structs
// {Name=v Name=v}.

template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class K, class V> struct is_map<std::map<K, V>> : std::true_type {};

std::string hex_bytes(const void* data, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "x";
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kHex[p[i] >> 4]);
        out.push_back(kHex[p[i] & 15]);
    }
    return out;
}

template <class T>
std::string describe(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return v ? "true" : "false";
    } else if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>) return std::to_string(static_cast<long long>(v));
        else return std::to_string(static_cast<unsigned long long>(v));
    } else if constexpr (std::is_same_v<T, float>) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "f%08x", std::bit_cast<std::uint32_t>(v));
        return buf;
    } else if constexpr (std::is_same_v<T, double>) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "d%016llx", static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(v)));
        return buf;
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::uint8_t>>) {
        return hex_bytes(v.data(), v.size());
    } else if constexpr (is_vector<T>::value || is_array<T>::value) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + describe(v[i]);
        return out + "]";
    } else if constexpr (is_map<T>::value) {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, e] : v) {
            out += (first ? "" : ",") + describe(k) + ":" + describe(e);
            first = false;
        }
        return out + "}";
    } else {
        std::string out = "{";
        bool first = true;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto D) {
            out += (first ? "" : " ") + std::string(D.name) + "=" + describe(v.*D.pointer);
            first = false;
        });
        return out + "}";
    }
}

struct Kitchen {
    // Returns its argument.
    plugrpc::Status Echo(const Everything& in, Everything& out) {
        out = in;
        return {};
    }

    // The canonical text of what the plugin received.
    plugrpc::Status Describe(const Everything& in, std::string& out) {
        out = describe(in);
        return {};
    }

    // Wraps on overflow, as Go's int64 does (built with -fwrapv).
    plugrpc::Status Sum(const std::vector<std::int64_t>& in, std::int64_t& out) {
        out = 0;
        for (auto v : in) out += v;
        return {};
    }

    plugrpc::Status SumUnsigned(const std::vector<std::uint64_t>& in, std::uint64_t& out) {
        out = 0;
        for (auto v : in) out += v;
        return {};
    }

    plugrpc::Status Concat(const std::vector<std::string>& in, std::string& out) {
        out.clear();
        for (const auto& s : in) out += s;
        return {};
    }

    plugrpc::Status Stats(const std::vector<double>& in, kitchen::Stats& out) {
        if (in.empty()) return plugrpc::Error("kitchen: no values");
        out.Count = static_cast<std::int64_t>(in.size());
        out.Min = out.Max = in[0];
        double sum = 0;
        for (double v : in) {
            out.Min = std::min(out.Min, v);
            out.Max = std::max(out.Max, v);
            sum += v;
        }
        out.Mean = sum / static_cast<double>(in.size());
        return {};
    }

    plugrpc::Status Reverse(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out) {
        out.assign(in.rbegin(), in.rend());
        return {};
    }

    // The keys in order.
    plugrpc::Status Keys(const std::map<std::string, std::int64_t>& in, std::vector<std::string>& out) {
        for (const auto& kv : in) out.push_back(kv.first);
        return {};
    }

    plugrpc::Status Invert(const std::map<std::int64_t, std::string>& in, std::map<std::string, std::int64_t>& out) {
        for (const auto& [k, v] : in) {
            if (out.count(v)) return plugrpc::Error("kitchen: duplicate value " + v);
            out[v] = k;
        }
        return {};
    }

    // Fills every branch's Index from its Leaves, ById from Branches (by
    // position), and LeafCount.
    plugrpc::Status Grow(const Tree& in, Tree& out) {
        out = in;
        out.LeafCount = 0;
        auto index = [&](Branch& b) {
            for (const Leaf& l : b.Leaves) b.Index[l.Name] = l;
            out.LeafCount += static_cast<std::uint32_t>(b.Leaves.size());
        };
        index(out.Root);
        for (std::size_t i = 0; i < out.Branches.size(); ++i) {
            index(out.Branches[i]);
            out.ById[static_cast<std::int32_t>(i)] = out.Branches[i];
        }
        return {};
    }

    plugrpc::Status Limits(const Empty&, kitchen::Limits& out) {
        out.MinI8 = std::numeric_limits<std::int8_t>::min();
        out.MaxI8 = std::numeric_limits<std::int8_t>::max();
        out.MinI16 = std::numeric_limits<std::int16_t>::min();
        out.MaxI16 = std::numeric_limits<std::int16_t>::max();
        out.MinI32 = std::numeric_limits<std::int32_t>::min();
        out.MaxI32 = std::numeric_limits<std::int32_t>::max();
        out.MinI64 = std::numeric_limits<std::int64_t>::min();
        out.MaxI64 = std::numeric_limits<std::int64_t>::max();
        out.MaxU8 = std::numeric_limits<std::uint8_t>::max();
        out.MaxU16 = std::numeric_limits<std::uint16_t>::max();
        out.MaxU32 = std::numeric_limits<std::uint32_t>::max();
        out.MaxU64 = std::numeric_limits<std::uint64_t>::max();
        out.MaxF32 = std::numeric_limits<float>::max();
        out.SmallestF32 = std::numeric_limits<float>::denorm_min();
        out.MaxF64 = std::numeric_limits<double>::max();
        out.SmallestF64 = std::numeric_limits<double>::denorm_min();
        return {};
    }

    // Fails with the message asked for.
    plugrpc::Status Fail(const FailArgs& in, bool& out) {
        out = true;
        return plugrpc::Error(in.Message.empty() ? "kitchen: failure" : in.Message);
    }
};
BOOST_DESCRIBE_STRUCT(Kitchen, (),
                      (Echo, Describe, Sum, SumUnsigned, Concat, Stats, Reverse, Keys, Invert, Grow, Limits, Fail))

} // namespace kitchen

PLUGRPC_PLUGIN("kitchen", "1.0.0", "Test service: Kitchen.* round-trips every supported value type") {
    plugin.add<kitchen::Kitchen>();
}
