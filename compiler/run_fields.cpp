#include "compiler/run_fields.h"

#include <optional>

#include <fmt/format.h>

namespace df::compiler {
namespace {

class Fields {
  public:
    explicit Fields(std::string_view header) { text_.append(header).push_back('\n'); }

    void add(std::string_view field) {
        for (const char c : field) {
            if (c == '\\') {
                text_ += "\\\\";
            } else if (c == '\n') {
                text_ += "\\n";
            } else {
                text_.push_back(c);
            }
        }
        text_.push_back('\n');
    }
    void add(int number) { add(std::to_string(number)); }
    void add(std::size_t number) { add(std::to_string(number)); }
    void add_optional(const std::optional<int>& number) {
        add(number ? std::to_string(*number) : std::string());
    }
    void add_flag(bool flag) { add(flag ? "1" : ""); }

    std::string take() { return std::move(text_); }

  private:
    std::string text_;
};

void add_policy(Fields& f, const Policy& p) {
    f.add_optional(p.run_timeout_seconds);
    f.add_optional(p.step_timeout_seconds);
    f.add(p.retries);
    f.add(p.retry_delay_seconds);
    f.add_flag(p.approval.has_value());
    f.add(p.approval ? p.approval->when_input : "");
    f.add(p.approval ? p.approval->equals : "");
    f.add_optional(p.approval ? std::optional<int>(p.approval->timeout_seconds) : std::nullopt);
    f.add_optional(p.rate_limit ? std::optional<int>(p.rate_limit->max_runs) : std::nullopt);
    f.add_optional(p.rate_limit ? std::optional<int>(p.rate_limit->window_seconds) : std::nullopt);
    f.add(p.rate_limit ? p.rate_limit->key_input : "");
    f.add_optional(p.concurrency ? std::optional<int>(p.concurrency->max_runs) : std::nullopt);
    f.add(p.concurrency ? p.concurrency->key_input : "");
    f.add_flag(p.auto_rollback);
    f.add(p.history_days);
    f.add(p.history_runs);
}

void add_step(Fields& f, const Step& s) {
    f.add(s.id);
    f.add(to_string(s.kind));
    f.add(s.title);
    f.add_optional(s.timeout_seconds);
    f.add_optional(s.retries);
    f.add(s.commands);
}

void add_input(Fields& f, const Input& in) {
    f.add(in.name);
    f.add(to_string(in.type));
    f.add_flag(in.required);
    f.add_flag(in.default_value.has_value());
    f.add(in.default_value.value_or(""));
    f.add_flag(in.secret);
    f.add(in.env_alias);
    f.add(in.choices.size());
    for (const auto& choice : in.choices) f.add(choice);
}

}  // namespace

std::string jq_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
    return out;
}

std::string run_fields(const Manifest& m) {
    const Workflow& wf = m.workflow;
    Fields f(kRunFieldsHeader);
    f.add(wf.name);
    f.add(m.version);
    f.add(wf.title);
    add_policy(f, wf.policy);
    f.add(wf.steps.size());
    f.add(wf.rollback.size());
    for (const auto& s : wf.steps) add_step(f, s);
    for (const auto& s : wf.rollback) add_step(f, s);
    f.add(wf.inputs.size());
    for (const auto& in : wf.inputs) add_input(f, in);
    f.add(jq_quote(wf.name));
    f.add(jq_quote(m.version));
    for (const auto& s : wf.steps) {
        f.add(jq_quote(s.id));
        f.add(jq_quote(s.title));
        f.add(jq_quote(to_string(s.kind)));
    }
    return f.take();
}

}  // namespace df::compiler
