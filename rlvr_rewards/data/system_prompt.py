"""Tools written into a row's prompt messages, as the model's chat template writes them.

Trainers such as veRL (``RLHFDataset``) and SageMaker RLVR render a row's ``prompt`` with
``tokenizer.apply_chat_template(prompt)`` and no ``tools=``, so the policy never sees the row's tools. The
functions here rewrite the messages so that rendering them with the family's chat template and no tools gives
the same text as rendering the original messages with ``tools=``.

Contract:

- :func:`render_tools_into_prompt` returns new messages (the input is never mutated; the messages it does not
  edit are shallow copies) such that, for the family's chat template (``TOOL_PROMPT_FAMILIES`` names them; the
  reference is TRL's copy of the model's template), ``render(new, tools=None) == render(prompt, tools=tools)``
  with ``add_generation_prompt`` and any other template option the same on both sides. Two exceptions, where
  the template writes text no message content can reach (the tool instructions and tools are identical):

  - ``llama3``: Meta's template writes an ``Environment: ipython`` line in its own header of the system message
    whenever tools are passed, before the date lines; the rendered text differs by exactly that line.
  - ``gptoss``: the harmony template writes ``\\nCalls to these tools must go to the commentary channel:
    'functions'.`` at the end of its own system message whenever tools are passed; and it writes the first
    system/developer message's content as ``"# Instructions\\n\\n" + content + "\\n\\n"`` of the developer
    message, so the ``# Tools`` section we append is followed by a blank line (``...} // namespace functions
    \\n\\n<|end|>``, not ``...functions<|end|>``) and, when the prompt has no (or an empty) system/developer
    message, preceded by ``# Instructions\\n\\n``. The rendered text differs by exactly these (two or three) edits.
- Tools are written as the template writes them: each spec as given (an OpenAI ``{"type": "function",
  "function": {...}}`` spec stays wrapped, a bare ``{"name", "description", "parameters"}`` spec stays bare;
  none of the supported templates unwraps them), serialised as transformers' ``tojson`` filter does
  (``json.dumps(spec, ensure_ascii=False, indent=..., sort_keys=False)``: key order kept, non-ASCII kept).
  GPT-OSS writes no JSON: each tool becomes a TypeScript-like ``type name = (_: {...}) => any;`` (its
  ``render_typescript_type``, reimplemented here, quirks included), and its template reads ``tool.function``,
  so bare specs are refused for it.
- Where the template writes the tools into the system message, that message is edited, or created at the
  start of the prompt when there is none (with the text the template writes then, e.g. Qwen 2.5's default
  system sentence); Llama 3 writes them into the first user message; GLM-4 writes them in a system turn of
  their own, before every message; GPT-OSS into the first message when it is a system or developer message
  (its role kept), else a system message created first. :func:`~rlvr_rewards.groundtruth.toolspecs.tools_from_prompt`
  reads the tools back from the JSON forms (qwen, qwen2_5, qwen3_5, qwen3_6, llama3, glm4moe); it does not read
  LFM2's lists or GPT-OSS's TypeScript (``None``) and raises on Nemotron's XML ``<tools>`` block, which is why
  rows keep ``extra_info.tools``.
- Refused with :class:`~rlvr_rewards.errors.ConfigError`: an unknown family (the message lists the known ones);
  a prompt that already declares tools (``tools_from_prompt`` reads some, or a family's marker is in a
  system or developer message or the first user message: rendering twice would show the model two lists); a
  prompt that is not a list of ``{"role": str, "content": ...}`` dicts; content that is not text (a list of
  parts) in a message this function edits; an empty or non-dict tool list; a prompt the template itself cannot
  render the same way without tools (Llama 3: no user message right after the system message, or an empty
  one); a tool the template fails on (GPT-OSS: a bare spec, no text ``description`` or ``name``, a non-text
  parameter description, a non-text default beside an ``enum``/``oneOf``; the message names the tool).
- :func:`render_tools_into_row` applies this to a veRL row's ``prompt`` with the tools of its
  ``extra_info.tools`` (a list or its JSON text), keeps ``extra_info.tools`` (scoring reads the tools from
  there first, before the prompt) and records ``extra_info["tools_in_prompt"] = family``; a row without tools
  is returned unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rlvr_rewards.errors import ConfigError, ToolSpecError
from rlvr_rewards.groundtruth.toolspecs import tools_from_prompt

__all__ = ["TOOL_PROMPT_FAMILIES", "render_tools_into_prompt", "render_tools_into_row"]

#: family name -> which models, which chat template (TRL's ``chat_templates/<name>.jinja``), where the tools go.
TOOL_PROMPT_FAMILIES: Mapping[str, str] = {
    "qwen": "Qwen 3, Qwen3-Instruct-2507 (qwen3.jinja, qwen3_instruct_2507.jinja): a '# Tools' <tools> block "
    "at the end of the system message (created when there is none)",
    "qwen2_5": "Qwen 2.5 (qwen2_5.jinja): the same <tools> block as qwen, appended to the system message; with "
    "no system message, to Qwen's default one ('You are Qwen, created by Alibaba Cloud. ...')",
    "qwen3_5": "Qwen 3.5, Qwen 3.6, Qwen 3.8 (qwen3_5_think.jinja, qwen3_5_nothink.jinja, qwen3_6.jinja, "
    "qwen3_8.jinja): a '# Tools' <tools> block with the <function=...> call format, at the start of the "
    "system message (created when there is none)",
    "qwen3_6": "Qwen 3.6 (qwen3_6.jinja): the same text and place as qwen3_5",
    "llama3": "Llama 3.1, 3.2, 3.3 (llama3_1.jinja, llama3_2.jinja, default tools_in_user_message): the "
    "function-call instructions and each tool's JSON (indent 4) at the start of the first user message; "
    "the 'Environment: ipython' header line is not reproduced",
    "glm4moe": "GLM-4.5 / GLM-4.6 (glm4moe.jinja): a '# Tools' <tools> block in a system message of its own, "
    "first in the prompt",
    "nemotron3": "NVIDIA Nemotron 3 Nano / Super / Ultra, Nemotron 3.5 Lightning (nemotron_3_nano.jinja, "
    "nemotron_3_super.jinja, nemotron_3_ultra.jinja, nemotron_3_5_lightning.jinja): a '# Tools' block of "
    "XML <function> entries (name, description, each parameter, required) at the end of the system message "
    "(created when there is none)",
    "lfm2": "LFM2 (lfm2.jinja, lfm2_v2.jinja): 'List of tools: <|tool_list_start|>[...]<|tool_list_end|>' "
    "at the end of the system message (created when there is none)",
    "lfm2_5": "LFM2.5 (lfm2_2_5.jinja, lfm2_2_5_v2.jinja): 'List of tools: [...]' at the end of the system "
    "message (created when there is none)",
    "gptoss": "GPT-OSS (gptoss.jinja, harmony): '# Tools' and the TypeScript 'namespace functions { ... }' at the "
    "end of the system/developer message, which the template writes as the developer message (created when "
    "there is none); the system header's 'Calls to these tools ...' line is not reproduced",
}


def _tojson(value: Any, indent: int | None = None) -> str:
    """transformers' ``tojson`` filter (``chat_template_utils``), with its defaults."""
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=None, sort_keys=False)


_QWEN_INTRO = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
_QWEN_OUTRO = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": '
    "<args-json-object>}\n</tool_call>"
)
_QWEN2_5_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
_QWEN3_5_INTRO = "# Tools\n\nYou have access to the following functions:\n\n<tools>"
_QWEN3_5_OUTRO = (
    "\n</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n"
    "<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n"
    "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n"
    "</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the "
    "specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> "
    "XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function "
    "call in natural language BEFORE the function call, but NOT after\n- If there is no function call "
    "available, answer the question like normal with your current knowledge and do not tell the user about "
    "function calls\n</IMPORTANT>"
)
_LLAMA_INTRO = (
    "Given the following functions, please respond with a JSON for a function call with its proper arguments "
    'that best answers the given prompt.\n\nRespond in the format {"name": function name, "parameters": '
    "dictionary of argument name and its value}.Do not use variables.\n\n"
)
_GLM_INTRO = _QWEN_INTRO + "\n"
_GLM_OUTRO = (
    "</tools>\n\nFor each function call, output the function name and arguments within the following XML "
    "format:\n<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n<arg_value>{arg-value-1}</arg_value>\n"
    "<arg_key>{arg-key-2}</arg_key>\n<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>"
)

#: Text that shows a template's tools are already in the prompt (beyond what ``tools_from_prompt`` reads):
#: marker -> the families that write it. Every family's markers are checked, whichever family is asked for.
_MARKERS: Mapping[str, str] = {
    "<tools>": "qwen, qwen2_5, qwen3_5, qwen3_6, glm4moe, nemotron3",
    "Given the following functions, please respond with a JSON": "llama3",
    "<|tool_list_start|>": "lfm2",
    "List of tools: [": "lfm2_5",
    "namespace functions {": "gptoss",
}

_Messages = list[dict[str, Any]]


def _system_content(prompt: _Messages, family: str) -> str | None:
    """The first message's text when it is a system message, else None."""
    if prompt and prompt[0]["role"] == "system":
        return _text(prompt[0], 0, family)
    return None


def _text(message: Mapping[str, Any], index: int, family: str) -> str:
    content = message.get("content")
    if not isinstance(content, str):
        raise ConfigError(
            f"render_tools_into_prompt({family!r}): message {index} ({message.get('role')}) has content "
            f"{type(content).__name__}; expected text content only (a string): the tools are written into this "
            "message, and content parts (multimodal lists) are not supported"
        )
    return content


def _with_system(prompt: _Messages, content: str) -> _Messages:
    """The prompt with its first (system) message's content replaced, or a system message put first."""
    if prompt and prompt[0]["role"] == "system":
        return [{**prompt[0], "content": content}, *prompt[1:]]
    return [{"role": "system", "content": content}, *prompt]


def _qwen_block(tools: Sequence[Mapping[str, Any]]) -> str:
    return _QWEN_INTRO + "".join("\n" + _tojson(t) for t in tools) + _QWEN_OUTRO


def _qwen(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    system = _system_content(prompt, "qwen")
    return _with_system(prompt, (system + "\n\n" if system is not None else "") + _qwen_block(tools))


def _qwen2_5(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    system = _system_content(prompt, "qwen2_5")
    head = system if system is not None else _QWEN2_5_DEFAULT_SYSTEM
    return _with_system(prompt, head + "\n\n" + _qwen_block(tools))


def _qwen3_5(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    # The template writes the block, then "\n\n" + the system content trimmed (when not empty); without tools
    # it writes the system content trimmed, which leaves the block (never blank at either end) as it is.
    system = (_system_content(prompt, "qwen3_5") or "").strip()
    block = _QWEN3_5_INTRO + "".join("\n" + _tojson(t) for t in tools) + _QWEN3_5_OUTRO
    return _with_system(prompt, block + ("\n\n" + system if system else ""))


def _llama3(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    at = 1 if prompt and prompt[0]["role"] == "system" else 0
    if at >= len(prompt) or prompt[at]["role"] != "user":
        got = "nothing" if at >= len(prompt) else f"a {prompt[at]['role']!r} message"
        raise ConfigError(
            f"render_tools_into_prompt('llama3'): message {at} is {got}; expected a user message right after "
            "the system message (Llama 3's template writes the tools into the first message after it and "
            "labels it user); start the prompt's conversation with the user's request"
        )
    user = _text(prompt[at], at, "llama3").strip()
    if not user:
        raise ConfigError(
            f"render_tools_into_prompt('llama3'): message {at} (user) is empty; expected the user's request "
            "(the template strips the message, and the tools' trailing blank line with it, so the text could "
            "not match the template's)"
        )
    content = _LLAMA_INTRO + "".join(_tojson(t, indent=4) + "\n\n" for t in tools) + user
    return [*prompt[:at], {**prompt[at], "content": content}, *prompt[at + 1 :]]


def _jinja_str(value: Any) -> str:
    """Jinja's ``string`` filter and ``~`` operator: Python's ``str`` (``True``, ``None``, ``['a', 'b']``)."""
    return str(value)


def _nemotron_extra_keys(spec: Any, handled: tuple[str, ...]) -> str:
    if not isinstance(spec, Mapping):
        return ""
    out = []
    for key, value in spec.items():
        if key in handled:
            continue
        if isinstance(value, (Mapping, list, tuple)):
            text = _tojson(value)
        else:
            text = _jinja_str(value)
        out.append(f"\n<{key}>{text}</{key}>")
    return "".join(out)


def _nemotron_tool(tool: Mapping[str, Any]) -> str:
    fn: Any = tool["function"] if "function" in tool else tool
    if not isinstance(fn, Mapping):
        raise ConfigError(
            f"render_tools_into_prompt('nemotron3'): a tool's 'function' is {fn!r:.80}; expected a dict "
            "({'name', 'description', 'parameters'})"
        )
    parts = ["\n<function>\n<name>" + _jinja_str(fn.get("name", "")) + "</name>"]
    if "description" in fn:
        parts.append("\n<description>" + _jinja_str(fn["description"]).strip() + "</description>")
    parts.append("\n<parameters>")
    params = fn.get("parameters")
    if isinstance(params, Mapping) and isinstance(params.get("properties"), Mapping):
        for pname, field in params["properties"].items():
            parts.append("\n<parameter>\n<name>" + _jinja_str(pname) + "</name>")
            if isinstance(field, Mapping):
                if "type" in field:
                    parts.append("\n<type>" + _jinja_str(field["type"]) + "</type>")
                if "description" in field:
                    parts.append("\n<description>" + _jinja_str(field["description"]).strip() + "</description>")
                if "enum" in field:
                    parts.append("\n<enum>" + _tojson(field["enum"]) + "</enum>")
            parts.append(_nemotron_extra_keys(field, ("name", "type", "description", "enum")))
            parts.append("\n</parameter>")
    parts.append(_nemotron_extra_keys(params, ("type", "properties", "required")))
    if isinstance(params, Mapping) and "required" in params:
        parts.append("\n<required>" + _tojson(params["required"]) + "</required>")
    parts.append("\n</parameters>")
    parts.append(_nemotron_extra_keys(fn, ("type", "name", "description", "parameters")))
    parts.append("\n</function>")
    return "".join(parts)


def _nemotron3(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    system = _system_content(prompt, "nemotron3") or ""
    block = (
        "# Tools\n\nYou have access to the following functions:\n\n<tools>"
        + "".join(_nemotron_tool(t) for t in tools)
        + _QWEN3_5_OUTRO
    )
    return _with_system(prompt, system + ("\n\n" if system else "") + block)


class _Undefined:
    """What a Jinja lookup gives for a missing key (or any key of a value that is not a mapping): falsy."""

    def __bool__(self) -> bool:
        return False


_UNDEFINED = _Undefined()


def _get(value: Any, key: str) -> Any:
    """``value.key`` / ``value['key']`` in Jinja: the item of a mapping, else undefined."""
    if isinstance(value, Mapping) and key in value:
        return value[key]
    return _UNDEFINED


class _GptossSpecError(Exception):
    """A tool spec GPT-OSS's template fails on (the message says what, ConfigError says which tool)."""


def _gptoss_text(value: Any, what: str) -> str:
    """A value the template concatenates to text: Jinja's ``+`` fails on anything but a string."""
    if not isinstance(value, str):
        raise _GptossSpecError(f"{what} is {value!r:.60}; expected a string (the template adds it to text)")
    return value


def _gptoss_iter(value: Any, what: str) -> list[Any]:
    try:
        return list(value)
    except TypeError:
        raise _GptossSpecError(f"{what} is {value!r:.60}; expected a list") from None


def _gptoss_is_in(name: Any, required: Any) -> bool:
    try:
        return bool(name in (required or []))
    except TypeError:
        raise _GptossSpecError(f"'required' is {required!r:.60}; expected a list of names") from None


def _gptoss_array(spec: Mapping[str, Any], nullable: str) -> str:
    items = _get(spec, "items")
    if not items:
        return "any[]" + nullable
    item_kind = _get(items, "type")
    if isinstance(item_kind, str) and item_kind in ("string", "boolean"):
        return item_kind + "[]" + nullable
    if isinstance(item_kind, str) and item_kind in ("number", "integer"):
        return "number[]" + nullable
    inner = _gptoss_type(items)
    return ("any[]" if inner == "object | object" or len(inner) > 50 else inner + "[]") + nullable


def _gptoss_one_of(variants: Any) -> str:
    # The template means to write "any" for a union with object variants, but its flag is set inside the loop
    # (Jinja scoping) and never seen outside it: every variant is written, as here.
    parts = []
    for variant in _gptoss_iter(variants, "'oneOf'"):
        part = _gptoss_type(variant)
        if _get(variant, "description"):
            part += "// " + _gptoss_text(variant["description"], "a oneOf variant's 'description'")
        default = _get(variant, "default")
        if default is not _UNDEFINED:
            part += " " * 20 + "// default: " + _tojson(default)
        parts.append(part)
    return " | \n".join(parts)


def _gptoss_object(spec: Mapping[str, Any]) -> str:
    properties = _get(spec, "properties")
    if not properties:
        return "object"
    if not isinstance(properties, Mapping):
        raise _GptossSpecError(f"'properties' is {properties!r:.60}; expected a dict")
    required = _get(spec, "required")
    fields = (
        _jinja_str(name) + ("" if _gptoss_is_in(name, required) else "?") + ": \n" + " " * 16 + _gptoss_type(field)
        for name, field in properties.items()
    )
    return "{\n" + ", ".join(fields) + "}"


def _gptoss_type(spec: Any) -> str:
    """A JSON Schema as GPT-OSS's template writes it as a TypeScript type (its ``render_typescript_type``)."""
    kind = _get(spec, "type")
    nullable = " | null" if _get(spec, "nullable") else ""
    if isinstance(kind, str) and kind == "array":
        return _gptoss_array(spec, nullable)
    if isinstance(kind, (list, tuple)) and kind:
        return " | ".join(_jinja_str(k) for k in kind) if len(kind) > 1 else _jinja_str(kind[0])
    if _get(spec, "oneOf"):
        return _gptoss_one_of(spec["oneOf"])
    if kind == "string" and isinstance(kind, str):
        enum = _get(spec, "enum")
        if enum:
            return '"' + '" | "'.join(_jinja_str(e) for e in _gptoss_iter(enum, "'enum'")) + '"'
        return "string" + nullable
    if kind == "object" and isinstance(kind, str):
        return _gptoss_object(spec)
    simple = {"number": "number", "integer": "number", "boolean": "boolean"}
    return simple.get(kind, "any") if isinstance(kind, str) else "any"


def _gptoss_tool(tool: Mapping[str, Any]) -> str:
    """One tool as GPT-OSS's template writes it in ``namespace functions`` (``render_tool_namespace``)."""
    fn = _get(tool, "function")
    if not isinstance(fn, Mapping):
        raise _GptossSpecError(
            "it has no 'function' dict; expected an OpenAI-wrapped spec {'type': 'function', 'function': {...}} "
            "(the template reads tool.function and fails on a bare spec)"
        )
    out = "// " + _gptoss_text(_get(fn, "description"), "'description'") + "\n"
    out += "type " + _gptoss_text(_get(fn, "name"), "'name'") + " = "
    params = _get(fn, "parameters")
    properties = _get(params, "properties") if params else _UNDEFINED
    if not properties:
        return out + "() => any;\n\n"
    if not isinstance(properties, Mapping):
        raise _GptossSpecError(f"'parameters.properties' is {properties!r:.60}; expected a dict")
    required = _get(params, "required")
    out += "(_: {\n"
    for name, field in properties.items():
        if _get(field, "description"):
            out += "// " + _gptoss_text(field["description"], f"parameter {name!r}'s 'description'") + "\n"
        out += _jinja_str(name) + ("" if _gptoss_is_in(name, required) else "?") + ": " + _gptoss_type(field)
        if isinstance(field, Mapping) and "default" in field:
            default = field["default"]
            if _get(field, "enum"):
                out += ", // default: " + _gptoss_text(default, f"parameter {name!r}'s 'default' (with an enum)")
            elif _get(field, "oneOf"):
                out += "// default: " + _gptoss_text(default, f"parameter {name!r}'s 'default' (with a oneOf)")
            else:
                out += ", // default: " + _tojson(default)
        out += ",\n"
    return out + "}) => any;\n\n"


def _gptoss_namespace(tools: Sequence[Mapping[str, Any]]) -> str:
    body = []
    for i, tool in enumerate(tools):
        try:
            body.append(_gptoss_tool(tool))
        except _GptossSpecError as exc:
            raise ConfigError(
                f"render_tools_into_prompt('gptoss'): tool {i} cannot be rendered by GPT-OSS's template: {exc}"
            ) from None
    return "## functions\n\nnamespace functions {\n\n" + "".join(body) + "} // namespace functions"


def _gptoss(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    # The template writes the first system/developer message as "# Instructions\n\n" + content + "\n\n", then
    # (with tools) "# Tools\n\n" + the namespace, in the developer message; with no (or empty) instructions, the
    # tools alone. Without tools, any content gets the heading and the blank line: see the module docstring.
    block = "# Tools\n\n" + _gptoss_namespace(tools)
    if prompt and prompt[0]["role"] in ("system", "developer"):
        instructions = _text(prompt[0], 0, "gptoss")
        content = instructions + "\n\n" + block if instructions else block
        return [{**prompt[0], "content": content}, *prompt[1:]]
    return [{"role": "system", "content": block}, *prompt]


def _glm4moe(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
    block = _GLM_INTRO + "".join(_tojson(t) + "\n" for t in tools) + _GLM_OUTRO
    return [{"role": "system", "content": block}, *prompt]


def _lfm(opening: str, closing: str, family: str) -> Callable[[_Messages, Sequence[Mapping[str, Any]]], _Messages]:
    def render(prompt: _Messages, tools: Sequence[Mapping[str, Any]]) -> _Messages:
        system = _system_content(prompt, family) or ""
        listed = opening + ", ".join(_tojson(t) for t in tools) + closing
        return _with_system(prompt, system + ("\n" if system else "") + listed)

    return render


_RENDERERS: Mapping[str, Callable[[_Messages, Sequence[Mapping[str, Any]]], _Messages]] = {
    "qwen": _qwen,
    "qwen2_5": _qwen2_5,
    "qwen3_5": _qwen3_5,
    "qwen3_6": _qwen3_5,
    "llama3": _llama3,
    "glm4moe": _glm4moe,
    "nemotron3": _nemotron3,
    "lfm2": _lfm("List of tools: <|tool_list_start|>[", "]<|tool_list_end|>", "lfm2"),
    "lfm2_5": _lfm("List of tools: [", "]", "lfm2_5"),
    "gptoss": _gptoss,
}


def _family(family: Any) -> str:
    if not isinstance(family, str) or family not in _RENDERERS:
        raise ConfigError(f"unknown tool prompt family {family!r}; expected one of: {', '.join(TOOL_PROMPT_FAMILIES)}")
    return family


def _messages(prompt: Any, family: str) -> _Messages:
    """A shallow copy of each message, after checking the prompt is a list of role/content dicts."""
    if not isinstance(prompt, list):
        raise ConfigError(
            f"render_tools_into_prompt({family!r}): the prompt is a {type(prompt).__name__}; expected a list of "
            "chat messages ({'role': ..., 'content': ...}), not a rendered string"
        )
    out: _Messages = []
    for i, msg in enumerate(prompt):
        if not isinstance(msg, Mapping) or not isinstance(msg.get("role"), str) or "content" not in msg:
            raise ConfigError(
                f"render_tools_into_prompt({family!r}): message {i} is {msg!r:.120}; expected a dict with a "
                "string 'role' and a 'content'"
            )
        out.append(dict(msg))
    return out


def _check_tools(tools: Any, family: str) -> list[Mapping[str, Any]]:
    if not isinstance(tools, list) or not tools or not all(isinstance(t, Mapping) for t in tools):
        raise ConfigError(
            f"render_tools_into_prompt({family!r}): tools are {tools!r:.120}; expected a non-empty list of tool "
            "specs (dicts, OpenAI-wrapped or bare), as passed to apply_chat_template(tools=...)"
        )
    return list(tools)


def _check_not_declared(prompt: _Messages, family: str) -> None:
    seen_user = False
    for i, msg in enumerate(prompt):
        if msg["role"] == "user":
            if seen_user:
                continue
            seen_user = True
        elif msg["role"] not in ("system", "developer"):
            continue
        content = msg.get("content")
        text = content if isinstance(content, str) else ""
        for marker, writers in _MARKERS.items():
            if marker in text:
                raise ConfigError(
                    f"render_tools_into_prompt({family!r}): message {i} ({msg['role']}) already contains "
                    f"{marker!r}, the tool marker of {writers}; expected a prompt without tools (never render "
                    "them twice)"
                )
    try:
        declared = tools_from_prompt(prompt)
    except ToolSpecError as exc:
        raise ConfigError(
            f"render_tools_into_prompt({family!r}): the prompt already has a tool block, and a broken one ({exc}); "
            "expected a prompt without tools (remove the block, the tools are rendered from the row's list)"
        ) from None
    if declared is not None:
        raise ConfigError(
            f"render_tools_into_prompt({family!r}): the prompt already declares tools (a chat template's tool "
            "block is in its system or first user message); expected a prompt without them: rendering the tools "
            "again would show the model two lists (use the prompt as it is, or remove the block first)"
        )


def render_tools_into_prompt(
    prompt: list[dict[str, Any]], tools: list[dict[str, Any]], family: str
) -> list[dict[str, Any]]:
    """New messages that render without ``tools=`` as ``prompt`` renders with ``tools=tools`` (module contract).

    ``family``: a key of :data:`TOOL_PROMPT_FAMILIES`. ``tools``: the specs as they would be passed to
    ``apply_chat_template(tools=...)`` (OpenAI-wrapped or bare; written as given). The input is not mutated.
    Raises :class:`ConfigError` for an unknown family, a prompt that already declares tools, a prompt that is
    not a list of role/content dicts, non-text content in an edited message, or an empty tool list."""
    name = _family(family)
    messages = _messages(prompt, name)
    specs = _check_tools(tools, name)
    _check_not_declared(messages, name)
    return _RENDERERS[name](messages, specs)


def render_tools_into_row(row: dict[str, Any], family: str) -> dict[str, Any]:
    """A copy of a veRL row whose ``prompt`` has its ``extra_info.tools`` rendered in, as ``family``'s chat
    template renders them (see :func:`render_tools_into_prompt`).

    ``extra_info.tools`` (a list of specs or its JSON text) is kept as it is: scoring reads a row's tools from
    ``tools`` / ``extra_info.tools`` before the prompt, so the row scores as before. ``extra_info["tools_in_prompt"]``
    records the family. A row without tools (no ``extra_info``, no ``extra_info.tools``, or an empty list) is
    returned unchanged (the same object). The input row is not mutated."""
    name = _family(family)
    if not isinstance(row, Mapping):
        raise ConfigError(f"render_tools_into_row: the row is a {type(row).__name__}; expected a dict (a veRL row)")
    extra = row.get("extra_info")
    if not isinstance(extra, Mapping):
        return row
    tools = extra.get("tools")
    if isinstance(tools, (str, bytes)):
        try:
            tools = json.loads(tools)
        except ValueError:
            raise ConfigError(
                f"render_tools_into_row({name!r}): extra_info.tools is text that is not JSON ({tools!r:.80}); "
                "expected a list of tool specs or its JSON text"
            ) from None
    if tools is None or (isinstance(tools, list) and not tools):
        return row
    if "prompt" not in row:
        raise ConfigError(
            f"render_tools_into_row({name!r}): the row has no 'prompt'; expected a veRL row (prompt, "
            "reward_model.ground_truth, extra_info.tools)"
        )
    out = dict(row)
    out["prompt"] = render_tools_into_prompt(row["prompt"], tools, name)
    out["extra_info"] = {**extra, "tools_in_prompt": name}
    return out
