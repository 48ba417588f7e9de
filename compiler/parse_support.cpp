#include "compiler/parse_support.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "common/text.h"

namespace df::compiler {

SourcePos ParseContext::pos(const Block& b) const {
    return b.offset == std::string::npos ? SourcePos{} : source.position(b.offset);
}

SourcePos ParseContext::pos_of_run(const Run& r, const Block& fallback) const {
    return r.offset == std::string::npos ? pos(fallback) : source.position(r.offset);
}

std::string marked_text(const std::vector<Run>& runs) {
    std::string out;
    for (const auto& r : runs) {
        if (r.kind == Run::Kind::code) {
            out += kCodeOpen;
            out += r.text;
            out += kCodeClose;
        } else if (r.kind == Run::Kind::text) {
            out += r.text;
        } else {
            out += ' ';
        }
    }
    return std::string(trim(out));
}

std::string unmark(std::string_view marked) {
    std::string out;
    for (const char c : marked) {
        if (c != kCodeOpen && c != kCodeClose) out += c;
    }
    return out;
}

const Block* first_paragraph(const Block& item) {
    if (!item.children.empty() && item.children.front()->type == BlockType::paragraph) {
        return item.children.front().get();
    }
    return nullptr;
}

bool is_identifier(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (const char c : s) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_') ||
            static_cast<unsigned char>(c) >= 0x80)
            return false;
    }
    return true;
}

namespace {

struct Token {
    std::string text;
    std::size_t begin, end;
};

// Words and numbers of lower-case text; "10m" splits into "10" and "m", "1.5" stays one number.
std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (std::isdigit(c)) {
            std::size_t j = i;
            while (j < s.size() &&
                   (std::isdigit(static_cast<unsigned char>(s[j])) ||
                    (s[j] == '.' && j + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[j + 1])))))
                ++j;
            tokens.push_back({std::string(s.substr(i, j - i)), i, j});
            i = j;
        } else if (std::isalpha(c)) {
            std::size_t j = i;
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
            tokens.push_back({std::string(s.substr(i, j - i)), i, j});
            i = j;
        } else {
            ++i;
        }
    }
    return tokens;
}

std::optional<double> number_value(std::string_view t) {
    static const std::pair<std::string_view, int> words[] = {
        {"a", 1},      {"an", 1},      {"one", 1},     {"single", 1},   {"two", 2},      {"three", 3},
        {"four", 4},   {"five", 5},    {"six", 6},     {"seven", 7},    {"eight", 8},    {"nine", 9},
        {"ten", 10},   {"eleven", 11}, {"twelve", 12}, {"fifteen", 15}, {"twenty", 20},  {"thirty", 30},
        {"forty", 40}, {"fifty", 50},  {"sixty", 60},  {"ninety", 90},  {"hundred", 100}};
    if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
        if (t.size() > 12) return std::nullopt;
        return std::stod(std::string(t));
    }
    for (const auto& [w, v] : words) {
        if (t == w) return v;
    }
    return std::nullopt;
}

std::optional<long long> unit_seconds(std::string_view u) {
    static const std::pair<std::string_view, long long> units[] = {
        {"s", 1},     {"sec", 1},     {"secs", 1},     {"second", 1},    {"seconds", 1},
        {"m", 60},    {"min", 60},    {"mins", 60},    {"minute", 60},   {"minutes", 60},
        {"h", 3600},  {"hr", 3600},   {"hrs", 3600},   {"hour", 3600},   {"hours", 3600},
        {"d", 86400}, {"day", 86400}, {"days", 86400}, {"week", 604800}, {"weeks", 604800}};
    for (const auto& [name, secs] : units) {
        if (u == name) return secs;
    }
    return std::nullopt;
}

std::optional<unsigned long long> unit_bytes(std::string_view u) {
    static const std::pair<std::string_view, unsigned long long> units[] = {
        {"b", 1ULL},           {"k", 1ULL << 10},   {"kb", 1000ULL},     {"kib", 1ULL << 10},
        {"m", 1ULL << 20},     {"mb", 1000000ULL},  {"mib", 1ULL << 20}, {"g", 1ULL << 30},
        {"gb", 1000000000ULL}, {"gib", 1ULL << 30}, {"t", 1ULL << 40},   {"tb", 1000000000000ULL},
        {"tib", 1ULL << 40}};
    for (const auto& [name, bytes] : units) {
        if (u == name) return bytes;
    }
    return std::nullopt;
}

// std::llround for 1 <= x <= 1e15 (halves away from zero), without libm: df-compile needs nothing else from
// it, and loading one shared library fewer is a measurable part of a one-workflow compile.
long long round_positive(double x) {
    const auto whole = static_cast<long long>(x);
    return x - static_cast<double>(whole) >= 0.5 ? whole + 1 : whole;
}

}  // namespace

std::optional<Found> find_duration_seconds(std::string_view text) {
    const auto tokens = tokenize(text);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const auto n = number_value(tokens[i].text);
        const auto unit = unit_seconds(tokens[i + 1].text);
        if (!n || !unit) continue;
        // "a" and "an" count only directly before a unit word ("an hour"), never as "a m".
        if ((tokens[i].text == "a" || tokens[i].text == "an") && tokens[i + 1].text.size() < 3) continue;
        const double seconds = *n * static_cast<double>(*unit);
        if (seconds < 1 || seconds > 366.0 * 86400) continue;
        return Found{round_positive(seconds), tokens[i].begin, tokens[i + 1].end};
    }
    return std::nullopt;
}

std::optional<Found> find_duration_days(std::string_view text) {
    static const std::pair<std::string_view, int> units[] = {
        {"d", 1},      {"day", 1},     {"days", 1}, {"week", 7},   {"weeks", 7},   {"wk", 7},   {"wks", 7},
        {"month", 30}, {"months", 30}, {"mo", 30},  {"year", 365}, {"years", 365}, {"yr", 365}, {"yrs", 365}};
    const auto tokens = tokenize(text);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const auto n = number_value(tokens[i].text);
        if (!n || ((tokens[i].text == "a" || tokens[i].text == "an") && tokens[i + 1].text.size() < 3))
            continue;
        for (const auto& [name, days] : units) {
            if (tokens[i + 1].text != name) continue;
            const double total = *n * days;
            if (total < 1 || total > 36500) break;
            return Found{static_cast<long long>(total), tokens[i].begin, tokens[i + 1].end};
        }
    }
    if (auto d = find_duration_seconds(text); d && d->value >= 86400) {
        d->value /= 86400;
        return d;
    }
    return std::nullopt;
}

std::optional<Found> find_size_bytes(std::string_view text) {
    const auto tokens = tokenize(text);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i].text.empty() || !std::isdigit(static_cast<unsigned char>(tokens[i].text[0]))) continue;
        const auto n = number_value(tokens[i].text);
        const auto unit = unit_bytes(tokens[i + 1].text);
        if (!n || !unit) continue;
        const double bytes = *n * static_cast<double>(*unit);
        if (bytes < 1 || bytes > 1e15) continue;
        return Found{round_positive(bytes), tokens[i].begin, tokens[i + 1].end};
    }
    return std::nullopt;
}

std::optional<Found> find_count(std::string_view text) {
    for (const auto& t : tokenize(text)) {
        if (t.text == "once") return Found{1, t.begin, t.end};
        if (t.text == "twice") return Found{2, t.begin, t.end};
        if (t.text == "a" || t.text == "an") continue;
        if (const auto n = number_value(t.text); n && *n == std::floor(*n) && *n <= 1e6) {
            return Found{static_cast<long long>(*n), t.begin, t.end};
        }
    }
    return std::nullopt;
}

std::string describe_seconds(long long s) {
    if (s % 86400 == 0 && s >= 86400)
        return fmt::format("{} s ({} day{})", s, s / 86400, s == 86400 ? "" : "s");
    if (s % 3600 == 0 && s >= 3600) return fmt::format("{} s ({} hour{})", s, s / 3600, s == 3600 ? "" : "s");
    if (s % 60 == 0 && s >= 60) return fmt::format("{} s ({} minute{})", s, s / 60, s == 60 ? "" : "s");
    return fmt::format("{} s", s);
}

std::string describe_bytes(unsigned long long b) {
    if (b % (1ULL << 30) == 0) return fmt::format("{} GiB", b >> 30);
    if (b % (1ULL << 20) == 0) return fmt::format("{} MiB", b >> 20);
    if (b % 1000000 == 0) return fmt::format("{} MB", b / 1000000);
    return fmt::format("{} bytes", b);
}

}  // namespace df::compiler
