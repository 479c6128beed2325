"""Which ``<tool_call>`` blocks belong to the XML-parameter formats rather than to Hermes JSON.

Three families open their calls with ``<tool_call>``: Hermes / Qwen 2.5-3 (a JSON object inside), Qwen3-Coder
and Qwen 3.5+ (``<function=NAME><parameter=P>..``) and GLM 4.5-4.7 (``NAME<arg_key>..</arg_key><arg_value>..``).
:func:`foreign_tool_call_block` is the one rule that tells them apart, read by the Hermes parser (which
declines such a block, so the ``qwen3_xml`` or ``glm`` parser reads it) and by those parsers (which claim
exactly such blocks). Imports nothing of the package (``formats`` and the XML parsers both use it).
"""

from __future__ import annotations

from typing import Final

__all__ = ["foreign_tool_call_block", "glm_shaped", "qwen3_xml_shaped"]

_FUNCTION: Final = "<function="
_ARG_KEY: Final = "<arg_key>"


def qwen3_xml_shaped(content: str) -> bool:
    """The block's inside starts (after whitespace) with ``<function=``."""
    return content.lstrip().startswith(_FUNCTION)


def glm_shaped(content: str) -> bool:
    """The block's inside is a GLM call: a name (letters, digits, ``_ - . :``), then ``<arg_key>`` or
    nothing (a call without arguments), whitespace allowed around the name. Linear in the name."""
    s = content.strip()
    n = len(s)
    i = 0
    while i < n and (s[i].isalnum() or s[i] in "_-.:"):
        i += 1
    if i == 0:
        return False
    return i == n or s[i:].lstrip().startswith(_ARG_KEY)


def foreign_tool_call_block(content: str) -> bool:
    """The inside of a ``<tool_call>`` block is Qwen3-Coder XML or GLM, not Hermes JSON."""
    return qwen3_xml_shaped(content) or glm_shaped(content)
