"""JSON Schemas of the API's bodies; the OpenAPI document is built from these."""

from __future__ import annotations

from elicit.models import Criterion, Expert, Option, SeedQuestion, Study
from elicit.services.results.frames import EXPORT_COLUMNS
from elicit.services.results.seed_answers import SEED_ANSWER_COLUMNS

NUMBER_OR_NULL = {"type": ["number", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
STRING_OR_NULL = {"type": ["string", "null"]}
ROLE = {"type": "string", "enum": ["owner", "organizer", "analyst"]}

ROUND_SCHEMA = {
    "type": "object",
    "required": ["number", "status"],
    "properties": {"number": {"type": "integer"}, "status": {"type": "string"}},
}
TRANSLATIONS = {"type": "object", "description": "The texts in the study's other languages: "
                "{\"fr\": {\"title\": …}}; a missing text falls back to the main language "
                "(languages[0]).", "additionalProperties": {"type": "object"}}
OPTION_SCHEMA = {
    "type": "object",
    "required": ["id", "title"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                   "description": {"type": "string"}, "translations": TRANSLATIONS,
                   "position": {"type": "integer"}, "retired_after_round": INT_OR_NULL},
}
STUDY_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "status", "role", "rounds", "options"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "status": {"type": "string"},
        "role": ROLE, "rounds": {"type": "array", "items": ROUND_SCHEMA},
        "options": {"type": "array", "items": OPTION_SCHEMA},
        "languages": {"type": "array", "items": {"type": "string"}},
        "translations": TRANSLATIONS,
    },
}
ROUND_DETAIL_SCHEMA = {
    "type": "object",
    "required": ["number", "status", "invited", "drafts", "submitted", "data_version"],
    "properties": {
        "number": {"type": "integer"}, "status": {"type": "string"},
        "invited": {"type": "integer"}, "drafts": {"type": "integer"},
        "submitted": {"type": "integer"}, "data_version": {"type": "integer"},
        "opened_at": STRING_OR_NULL, "closed_at": STRING_OR_NULL, "closes_at": STRING_OR_NULL,
    },
}
ROUND_LAUNCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "closes_at": {"type": ["string", "null"], "maxLength": 40,
                      "description": "Deadline, ISO 8601 (UTC when no offset), in the future."},
        "retire_consensus": {"type": "boolean", "default": False,
                             "description": "Retire options that met the consensus rule."},
        "send_invitations": {"type": "boolean", "default": False,
                             "description": "Queue the invitation e-mails."},
    },
}
RATIONALE = {
    "type": "object",
    "required": ["stance", "expert", "group", "value", "text", "dissent"],
    "properties": {
        "stance": {"type": "string", "enum": ["beneficial", "neutral", "harmful", "abstained"]},
        "expert": {"type": "string"}, "group": {"type": "string"}, "value": NUMBER_OR_NULL,
        "text": {"type": "string"}, "dissent": {"type": "boolean"},
    },
}
RATIONALES_SCHEMA = {
    "type": "object",
    "required": ["option", "round", "criterion", "median", "rationales"],
    "properties": {
        "option": OPTION_SCHEMA, "round": INT_OR_NULL, "criterion": {"type": "string"},
        "median": NUMBER_OR_NULL, "rationales": {"type": "array", "items": RATIONALE},
    },
}
RESPONSES_SCHEMA = {
    "type": "object",
    "required": ["round", "experts"],
    "properties": {
        "round": {"type": "integer"},
        "experts": {"type": "array", "items": {
            "type": "object", "required": ["expert", "group", "status"],
            "properties": {"expert": {"type": "string", "pattern": "^E[0-9]{3,}$"},
                           "group": {"type": "string"},
                           "status": {"type": "string",
                                      "enum": ["invited", "draft", "submitted",
                                               "withdrawn"]},
                           "submitted_at": STRING_OR_NULL}}},
    },
}
RESULT_OPTION = {
    "type": "object",
    "required": ["option", "rank", "score", "low", "high", "p_first", "p_top3"],
    "properties": {"option": {"type": "string"}, "rank": {"type": "integer"},
                   "score": NUMBER_OR_NULL, "low": NUMBER_OR_NULL, "high": NUMBER_OR_NULL,
                   "p_first": NUMBER_OR_NULL, "p_top3": NUMBER_OR_NULL,
                   "likelihood": NUMBER_OR_NULL, "impact": NUMBER_OR_NULL,
                   "n_experts": {"type": "integer"}, "consensus": {"type": "string"},
                   "previous_rank": INT_OR_NULL, "change": INT_OR_NULL},
}
JOB_ACCEPTED_SCHEMA = {
    "type": "object",
    "required": ["job"],
    "properties": {"job": {
        "type": "object", "required": ["id", "status", "progress"],
        "properties": {"id": {"type": "string"}, "kind": {"type": "string"},
                       "status": {"enum": ["queued", "running", "finished", "failed"]},
                       "progress": {"type": "number", "minimum": 0, "maximum": 1},
                       "message": {"type": "string"}},
    }},
}

RESULTS_SCHEMA = {
    "type": "object",
    "required": ["method", "round", "options", "provenance"],
    "properties": {
        "method": {"type": "string"}, "round": INT_OR_NULL,
        "options": {"type": "array", "items": RESULT_OPTION},
        "provenance": {"type": ["object", "null"]},
        "notes": {"type": "array", "items": {"type": "string"}},
        "groups": {"type": "array", "items": {"type": "string"}},
        "criterion_weights": {"type": "object", "additionalProperties": {"type": "number"}},
        "previous_round": INT_OR_NULL, "n_experts": {"type": "integer"},
        "kendall_w": NUMBER_OR_NULL, "summary": {"type": "string"},
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}
JUDGMENT_ROW = {
    "type": "object",
    "required": EXPORT_COLUMNS,
    "properties": {
        "round": {"type": "integer"}, "expert": {"type": "string"},
        "group": {"type": "string"}, "option": {"type": "string"},
        "criterion": {"type": "string"}, "kind": {"type": "string",
                                                  "enum": ["probability", "scale"]},
        "weight": {"type": "number"}, "value": NUMBER_OR_NULL, "lowest": NUMBER_OR_NULL,
        "best": NUMBER_OR_NULL, "highest": NUMBER_OR_NULL, "confidence": NUMBER_OR_NULL,
        "abstained": {"type": "boolean"}, "rationale": {"type": "string"},
        "submitted_at": STRING_OR_NULL,
        "expertise": INT_OR_NULL, "panel_expertise": INT_OR_NULL,
        "withdrawn": {"type": "boolean"},
    },
}
SEED_ANSWER_ROW = {
    "type": "object",
    "required": SEED_ANSWER_COLUMNS,
    "properties": {
        "round": {"type": "integer"}, "expert": {"type": "string"},
        "group": {"type": "string"}, "question": {"type": "string"},
        "question_text": {"type": "string"}, "unit": {"type": "string"},
        "scale": {"type": "string", "enum": ["uni", "log"]},
        "q05": NUMBER_OR_NULL, "q50": NUMBER_OR_NULL, "q95": NUMBER_OR_NULL,
        "realization": NUMBER_OR_NULL, "abstained": {"type": "boolean"},
        "withdrawn": {"type": "boolean"}, "submitted_at": STRING_OR_NULL,
    },
}
SEED_ANSWERS_SCHEMA = {
    "type": "object",
    "required": ["study", "columns", "seed_answers"],
    "properties": {"study": {"type": "integer"},
                   "columns": {"type": "array", "items": {"type": "string"}},
                   "seed_answers": {"type": "array", "items": SEED_ANSWER_ROW}},
}
JUDGMENTS_PAGE_SCHEMA = {
    "type": "object",
    "required": ["page", "per_page", "total", "next", "judgments"],
    "properties": {"page": {"type": "integer"}, "per_page": {"type": "integer"},
                   "total": {"type": "integer"}, "next": STRING_OR_NULL,
                   "judgments": {"type": "array", "items": JUDGMENT_ROW}},
}
STUDY_DEFINITION_SCHEMA = {
    "type": "object",
    "description": "A study definition: the organizer export's \"elicit-study\" format, or "
                   "the same keys without format/version (the shape this API first accepted). "
                   "Checked by the same rules as the organizer pages; every problem is named "
                   "by its path, e.g. options[2].title.",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": Study.TITLE_MAX},
        "briefing": {"type": "string", "maxLength": Study.BRIEFING_MAX},
        "consent_text": {"type": "string", "maxLength": Study.CONSENT_MAX},
        "translations": TRANSLATIONS,
        "format": {"type": "string", "const": "elicit-study"},
        "version": {"type": "integer", "const": 1},
        "languages": {"type": "array", "items": {"type": "string"}},
        "mail_templates": {"type": "object"},
        "anchoring": {"type": "string", "enum": ["before", "after"]},
        "prefill_previous": {"type": "boolean"},
        "consensus_rule": {"type": "object"},
        "options": {"type": "array", "maxItems": Study.ITEMS_MAX, "items": {
            "type": "object", "required": ["title"],
            "properties": {"title": {"type": "string", "minLength": 1,
                                     "maxLength": Option.TITLE_MAX},
                           "description": {"type": "string",
                                           "maxLength": Option.DESCRIPTION_MAX},
                           "translations": TRANSLATIONS}}},
        "criteria": {"type": "array", "maxItems": Study.ITEMS_MAX, "items": {
            "type": "object", "required": ["name", "kind"],
            "properties": {"name": {"type": "string", "minLength": 1,
                                    "maxLength": Criterion.NAME_MAX},
                           "kind": {"type": "string", "enum": ["probability", "scale"]},
                           "question": {"type": "string", "maxLength": Criterion.QUESTION_MAX},
                           "help": {"type": "string", "maxLength": Criterion.HELP_MAX},
                           "translations": TRANSLATIONS,
                           "four_step": {"type": "boolean"},
                           "weight": {"type": "number", "minimum": -Criterion.WEIGHT_LIMIT,
                                      "maximum": Criterion.WEIGHT_LIMIT},
                           "scale_min": {"type": ["integer", "null"],
                                         "minimum": -Criterion.SCALE_BOUND,
                                         "maximum": Criterion.SCALE_BOUND},
                           "scale_max": {"type": ["integer", "null"],
                                         "minimum": -Criterion.SCALE_BOUND,
                                         "maximum": Criterion.SCALE_BOUND},
                           "scale_labels": {"type": "object", "additionalProperties": {
                               "type": "string", "maxLength": Criterion.LABEL_MAX}}}}},
        "seed_questions": {"type": "array", "maxItems": Study.ITEMS_MAX, "items": {
            "type": "object", "required": ["text"],
            "properties": {"text": {"type": "string", "minLength": 1,
                                    "maxLength": SeedQuestion.TEXT_MAX},
                           "unit": {"type": "string", "maxLength": SeedQuestion.UNIT_MAX},
                           "scale": {"type": "string", "enum": ["uni", "log"]},
                           "translations": TRANSLATIONS,
                           "realization": NUMBER_OR_NULL}}},
    },
}
PANEL_IMPORT_SCHEMA = {
    "type": "object",
    "required": ["experts"],
    "properties": {"experts": {"type": "array", "items": {
        "type": "object", "required": ["name", "email"],
        "properties": {"name": {"type": "string", "minLength": 1,
                                "maxLength": Expert.NAME_MAX},
                       "email": {"type": "string", "minLength": 3,
                                 "maxLength": Expert.EMAIL_MAX},
                       "affiliation": {"type": "string", "maxLength": Expert.AFFILIATION_MAX},
                       "group": {"type": "string", "maxLength": Expert.GROUP_MAX},
                       "language": {"type": "string"},
                       "expertise": {"type": ["string", "integer"]}}}}},
}
PANEL_IMPORTED_SCHEMA = {
    "type": "object", "required": ["added", "panel_size"],
    "properties": {"added": {"type": "integer"}, "panel_size": {"type": "integer"}},
}


THEME_SCHEMA = {
    "type": "object",
    "required": ["label", "labels", "keywords", "representative", "experts", "size", "leaning",
                 "p_value"],
    "properties": {
        "label": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "representative": {"type": "string"},
        "experts": {"type": "array", "items": {"type": "string"}},
        "size": {"type": "integer", "minimum": 3},
        "leaning": {"enum": ["higher", "lower", "mixed", "neutral"]},
        "p_value": NUMBER_OR_NULL,
    },
}

THEMES_SCHEMA = {
    "type": "object",
    "required": ["round", "options", "provenance"],
    "properties": {
        "round": {"type": "integer"},
        "data_version": {"type": "integer"},
        "options": {"type": "array", "items": {
            "type": "object", "required": ["option", "themes", "unassigned"],
            "properties": {"option": {"type": "string"},
                           "themes": {"type": "array", "items": THEME_SCHEMA},
                           "unassigned": {"type": "array", "items": {"type": "string"}}}}},
        "provenance": {"type": ["object", "null"]},
    },
}
