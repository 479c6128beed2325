"""The ``<invoke name="f"><parameter name="p">value</parameter></invoke>`` reader shared by the XML-invoke formats.

Contract: :meth:`InvokeReader.read` reads the invokes of one call block into a
:class:`~rlvr_rewards.parsing.toolkit.Accumulator`, one call per invoke, each argument value the raw text
between the parameter's opening and closing tags (nothing stripped: the chat templates of these families
write the value right after ``>`` and close it right after the value, so surrounding whitespace is the
model's). Values are recorded with :func:`~rlvr_rewards.parsing.toolkit.add_text_call` and typed later by the
tool schema. Names (of invokes and parameters) lose surrounding whitespace. Never raises; linear in the text
(tags located with ``str.find`` from a cursor that only moves forward, the look-ahead searches cached); each
invoke's text goes through ``acc.decode_once``, so ten thousand copies of one invoke cost one decode.

Who uses it (tag names and accepted attribute quotes are the family's):

- MiniMax M2 / M2.1 (:mod:`rlvr_rewards.parsing.minimax`): ``<invoke name="f">`` / ``<parameter name="p">``,
  double or single quotes (MiniMax's own parsing guide accepts both);
- StepFun Step-3 (:mod:`rlvr_rewards.parsing.step3`): ``<steptml:invoke name="f">`` /
  ``<steptml:parameter name="p">``, double quotes (the vLLM and SGLang Step-3 parsers read only those).

Violations: an invoke or parameter tag whose ``name`` attribute cannot be read is ``missing_name`` (the call
is kept with an empty name, a parameter is dropped); a tag left open at the end of the block (a truncated
answer), or an invoke not closed before the next one, is ``unclosed_tag`` (what was written is kept, a
parameter value cut short included; an invoke whose opening tag is cut short gives no call); text in the
block that is not part of an invoke is ``trailing_garbage``; a block with nothing in it is
``empty_call_block``; a repeated parameter is ``duplicate_keys`` (the last value kept).
"""

from __future__ import annotations

import re
from typing import Final

from rlvr_rewards.parsing import toolkit

__all__ = ["InvokeReader"]

#: Whitespace from a position (one unbounded repeat of one class: linear, no backtracking).
_WS: Final = re.compile(r"\s*")


class InvokeReader:
    """Reads ``<{invoke} name=Q..Q>`` elements holding ``<{parameter} name=Q..Q>value</{parameter}>`` elements.

    ``invoke`` and ``parameter`` are the tag names (``"invoke"``, ``"steptml:invoke"``...); ``quotes`` the
    characters accepted around attribute values."""

    __slots__ = ("_decode", "invoke_close", "invoke_open", "param_close", "param_open", "quotes")

    def __init__(self, invoke: str, parameter: str, quotes: str = '"') -> None:
        self.invoke_open = f"<{invoke}"
        self.invoke_close = f"</{invoke}>"
        self.param_open = f"<{parameter}"
        self.param_close = f"</{parameter}>"
        self.quotes = quotes
        #: the decode function of one invoke (one object, so ``decode_once`` keys stay stable)
        self._decode = self._invoke

    # ----------------------------------------------------------------------------------------------
    # Block level
    # ----------------------------------------------------------------------------------------------

    def starts(self, text: str) -> list[int]:
        """Start indexes of the invoke opening tags of ``text`` (``<invoke`` followed by whitespace or by
        the end of the text, a tag cut short)."""
        out: list[int] = []
        opener = self.invoke_open
        step = len(opener)
        n = len(text)
        find = text.find
        i = find(opener)
        while i != -1:
            after = i + step
            if after == n or text[after].isspace():
                out.append(i)
            i = find(opener, after)
        return out

    def read(self, acc: toolkit.Accumulator, text: str) -> list[str]:
        """Every invoke of ``text`` (the inside of one call block) into ``acc``; the names of the calls read.

        Text before, between or after the invokes that is not whitespace is ``trailing_garbage``; a block
        that is only whitespace is ``empty_call_block``; non-blank text without an invoke is
        ``trailing_garbage`` (no call)."""
        starts = self.starts(text)
        if not starts:
            acc.violations.append("trailing_garbage" if text.strip() else "empty_call_block")
            return []
        if text[: starts[0]].strip():
            acc.violations.append("trailing_garbage")
        ends = [*starts[1:], len(text)]
        return [acc.decode_once(text[s:e], self._decode) for s, e in zip(starts, ends, strict=True)]

    # ----------------------------------------------------------------------------------------------
    # One invoke
    # ----------------------------------------------------------------------------------------------

    def name_attribute(self, inside: str) -> tuple[str | None, bool]:
        """The ``name`` attribute of a tag from the text between its tag name and its ``>``:
        ``(value or None, whether anything else is there)``. Only ``name=Q...Q`` with a quote in
        ``self.quotes`` is read; an unquoted value, another attribute first or a missing ``=`` give ``None``."""
        if inside.startswith(' name="') and inside.endswith('"') and inside.count('"') == 2 and '"' in self.quotes:
            return inside[7:-1], False  # (the usual shape, as the templates write it)
        body = inside.strip()
        if not body.startswith("name"):
            return None, bool(body)
        rest = body[4:].lstrip()
        if not rest.startswith("="):
            return None, True
        rest = rest[1:].lstrip()
        quote = rest[:1]
        if not quote or quote not in self.quotes:
            return None, True
        end = rest.find(quote, 1)
        if end == -1:
            return None, True
        return rest[1:end], bool(rest[end + 1 :].strip())

    def _tag_at(self, text: str, pos: int, opener: str) -> bool:
        """``opener`` (``<parameter``...) starts a tag at ``pos``: followed by whitespace or the end."""
        if not text.startswith(opener, pos):
            return False
        after = pos + len(opener)
        return after == len(text) or text[after].isspace()

    def _invoke(self, acc: toolkit.Accumulator, seg: str) -> str:
        """One invoke: ``seg`` runs from its ``<invoke`` to the next invoke or the end of the block. Records
        the call (unless its opening tag is cut short) and returns its name."""
        violations = acc.violations
        gt = seg.find(">", len(self.invoke_open))
        if gt == -1:  # the opening tag itself is cut short: no call
            violations.append("unclosed_tag")
            return ""
        name, extra = self.name_attribute(seg[len(self.invoke_open) : gt])
        if extra:
            violations.append("trailing_garbage")
        params, closed_at = self._params(acc, seg, gt + 1)
        if closed_at == -1:
            violations.append("unclosed_tag")
        elif seg[closed_at:].strip():
            violations.append("trailing_garbage")
        toolkit.add_text_call(acc, name or "", params)  # (an empty name: missing_name)
        return (name or "").strip()

    def _params(self, acc: toolkit.Accumulator, seg: str, pos: int) -> tuple[list[tuple[str, str]], int]:
        """The parameters of one invoke from ``pos`` (just after its opening tag): ``(params, index after
        the closing tag)``, ``-1`` for an invoke never closed (``unclosed_tag`` is the caller's)."""
        params: list[tuple[str, str]] = []
        n = len(seg)
        i_close = self.invoke_close
        # cached look-ahead for skipping junk: the next "<parameter" / "</invoke>" at or after a position
        # (refreshed only when the cursor passes it, so each needle is searched across the text once)
        ahead = [0, 0]
        junk = False
        while True:
            match = _WS.match(seg, pos)
            pos = match.end() if match else pos
            if self._tag_at(seg, pos, self.param_open):
                pos = self._param(acc, seg, pos, params)
                if pos == -1:
                    return params, -1
                continue
            if seg.startswith(i_close, pos):
                return params, pos + len(i_close)
            if pos >= n:
                return params, -1
            # something else inside the invoke: skip to the next parameter or the end of the invoke
            if not junk:
                junk = True
                acc.violations.append("trailing_garbage")
            pos = self._skip(seg, pos, ahead)
            if pos == -1:
                return params, -1

    def _param(self, acc: toolkit.Accumulator, seg: str, pos: int, params: list[tuple[str, str]]) -> int:
        """The parameter whose opening tag starts at ``pos`` into ``params``; the index after its closing
        tag, ``-1`` when it is cut short (a value cut short is kept as written)."""
        start = pos + len(self.param_open)
        gt = seg.find(">", start)
        if gt == -1:  # opening tag cut short
            return -1
        key, extra = self.name_attribute(seg[start:gt])
        if extra:
            acc.violations.append("trailing_garbage")
        stop = seg.find(self.param_close, gt + 1)
        value = seg[gt + 1 :] if stop == -1 else seg[gt + 1 : stop]
        key = key.strip() if key is not None else ""
        if key:
            params.append((key, value))
        else:
            acc.violations.append("missing_name")
        return -1 if stop == -1 else stop + len(self.param_close)

    def _skip(self, seg: str, pos: int, ahead: list[int]) -> int:
        """The next ``<parameter`` or ``</invoke>`` after ``pos`` (``-1``: none). ``ahead`` caches the next
        occurrence of each (``-1``: none left), searched again only once ``pos`` reaches it."""
        for k, needle in enumerate((self.param_open, self.invoke_close)):
            if ahead[k] != -1 and ahead[k] <= pos:
                ahead[k] = seg.find(needle, pos + 1)
        found = [i for i in ahead if i != -1]
        return min(found) if found else -1
