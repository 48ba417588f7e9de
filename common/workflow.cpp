#include "common/workflow.h"

namespace df {

std::string_view to_string(InputType type) {
    switch (type) {
        case InputType::string:
            return "string";
        case InputType::number:
            return "number";
        case InputType::boolean:
            return "boolean";
        case InputType::choice:
            return "choice";
    }
    return "string";
}

std::string_view to_string(StepKind kind) {
    switch (kind) {
        case StepKind::command:
            return "command";
        case StepKind::agent:
            return "agent";
        case StepKind::workflow:
            return "workflow";
    }
    return "agent";
}

std::string_view to_string(GuardrailKind kind) {
    switch (kind) {
        case GuardrailKind::run_timeout:
            return "run_timeout";
        case GuardrailKind::step_timeout:
            return "step_timeout";
        case GuardrailKind::approval:
            return "approval";
        case GuardrailKind::rate_limit:
            return "rate_limit";
        case GuardrailKind::retries:
            return "retries";
        case GuardrailKind::concurrency:
            return "concurrency";
        case GuardrailKind::parallel_steps:
            return "parallel_steps";
        case GuardrailKind::memory_limit:
            return "memory_limit";
        case GuardrailKind::auto_rollback:
            return "auto_rollback";
        case GuardrailKind::history_retention:
            return "history_retention";
        case GuardrailKind::advisory:
            return "advisory";
    }
    return "advisory";
}

std::string_view to_string(Trigger::Kind kind) {
    return kind == Trigger::Kind::cron ? "cron" : "http";
}

const Input* find_input(const Workflow& workflow, std::string_view name) {
    for (const auto& input : workflow.inputs) {
        if (input.name == name) return &input;
    }
    return nullptr;
}

}  // namespace df
