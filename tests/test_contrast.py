"""Quality gate: the theme's text and link colours meet WCAG AA contrast (4.5:1) on their
backgrounds, in the light scheme and in the `prefers-color-scheme: dark` scheme.

axe-core skips colour contrast on Arabic text (it takes cursive Arabic for an icon font), so
this reads the colours from the theme's CSS instead: custom properties on :root, overridden
in the dark media block, resolved through var() (and light-dark()), and WCAG 2's
relative-luminance formula.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

import pytest

from conftest import ROOT

THEME_STATIC = ROOT / "themes" / "digest" / "static"
AA_NORMAL_TEXT = 4.5

RGBA = tuple[float, float, float, float]
"""Red, green, blue in 0-255 and alpha in 0-1."""


# --- A small CSS reader: enough for a theme's colours ----------------------------------------
@dataclass(frozen=True)
class Rule:
    """One style rule with the at-rule conditions (e.g. '@media (prefers-color-scheme: dark)')
    it sits inside."""

    selectors: tuple[str, ...]
    declarations: tuple[tuple[str, str], ...]
    conditions: tuple[str, ...]

    def get(self, prop: str) -> str | None:
        """The last value this rule declares for `prop`, '!important' removed."""
        value = None
        for name, v in self.declarations:
            if name == prop:
                value = v.replace("!important", "").strip()
        return value


def _blocks(css: str) -> list[tuple[str, str]]:
    """Split CSS text into top-level (prelude, body) pairs, honouring nested braces."""
    out, depth, start, prelude = [], 0, 0, ""
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                prelude, start = css[start:i].strip(), i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append((prelude, css[start:i]))
                start = i + 1
        elif ch == ";" and depth == 0:
            start = i + 1  # a statement at-rule such as @import or @charset
    return out


def parse_css(css: str, conditions: tuple[str, ...] = ()) -> list[Rule]:
    """The style rules of `css`, in source order, with the at-rules around each."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules: list[Rule] = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@"):
            if re.match(r"@(media|supports|layer|container)\b", prelude):
                rules += parse_css(body, conditions + (" ".join(prelude.split()),))
            continue  # @font-face, @keyframes, @page: no text colours
        declarations = []
        for decl in re.split(r";(?![^(]*\))", body):
            if ":" in decl and "{" not in decl:
                name, value = decl.split(":", 1)
                declarations.append((name.strip().lower(), " ".join(value.split())))
        selectors = tuple(" ".join(s.split()) for s in prelude.split(",") if s.strip())
        rules.append(Rule(selectors, tuple(declarations), conditions))
    return rules


def rules_for(rules: list[Rule], scheme: str) -> list[Rule]:
    """The rules that apply on screen in `scheme` ('light' or 'dark'), in cascade order."""
    kept = []
    for rule in rules:
        text = " ".join(rule.conditions).lower()
        if re.search(r"\bprint\b", text) and "screen" not in text:
            continue
        wanted = re.findall(r"prefers-color-scheme\s*:\s*(light|dark)", text)
        if wanted and scheme not in wanted:
            continue
        kept.append(rule)
    return kept


# --- Colours -----------------------------------------------------------------------------
_NAMED = {"white": (255, 255, 255, 1.0), "black": (0, 0, 0, 1.0), "transparent": (0, 0, 0, 0.0)}


def parse_color(value: str) -> RGBA | None:
    """An sRGB colour from a CSS colour value (hex, rgb(), hsl(), a few names), else None."""
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    m = re.fullmatch(r"#([0-9a-f]{3,8})", value)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) not in (6, 8):
            return None
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha
    m = re.fullmatch(r"(rgba?|hsla?)\((.*)\)", value)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
    if len(parts) not in (3, 4):
        return None

    def number(p: str, scale: float) -> float:
        return float(p[:-1]) / 100 * scale if p.endswith("%") else float(p.removesuffix("deg"))

    try:
        alpha = number(parts[3], 1.0) if len(parts) == 4 else 1.0
        if m.group(1).startswith("rgb"):
            r, g, b = (number(p, 255) for p in parts[:3])
        else:
            hue, sat, light = number(parts[0], 360) / 360, number(parts[1], 1), number(parts[2], 1)
            r, g, b = (c * 255 for c in colorsys.hls_to_rgb(hue % 1, light, sat))
    except ValueError:
        return None
    return r, g, b, alpha


def over(top: RGBA, bottom: RGBA) -> RGBA:
    """`top` composited over an opaque `bottom`."""
    a = top[3]
    return (*(top[i] * a + bottom[i] * (1 - a) for i in range(3)), 1.0)  # type: ignore[return-value]


def relative_luminance(color: RGBA) -> float:
    """WCAG 2 relative luminance of an opaque sRGB colour."""

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in color[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGBA, bg: RGBA) -> float:
    """WCAG 2 contrast ratio of text `fg` on background `bg` (1 to 21)."""
    bg = over(bg, (255, 255, 255, 1.0)) if bg[3] < 1 else bg
    fg = over(fg, bg) if fg[3] < 1 else fg
    hi, lo = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- Resolving the theme's values ------------------------------------------------------------
def custom_properties(rules: list[Rule]) -> dict[str, str]:
    """The custom properties declared on :root / html, later declarations winning."""
    props: dict[str, str] = {}
    for rule in rules:
        if any(s in (":root", "html", ":root:root") for s in rule.selectors):
            props.update((n, v) for n, v in rule.declarations if n.startswith("--"))
    return props


def resolve(value: str, props: dict[str, str], scheme: str, depth: int = 0) -> str:
    """`value` with var() and light-dark() substituted for `scheme`."""
    if depth > 20:
        raise ValueError(f"var() cycle in {value!r}")
    m = re.search(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)", value)
    if m:
        name, fallback = m.group(1), m.group(2)
        if name in props:
            sub = props[name]
        elif fallback is not None:
            sub = fallback
        else:
            raise ValueError(f"{name} is used but not defined on :root")
        return resolve(value[: m.start()] + sub + value[m.end():], props, scheme, depth + 1)
    m = re.fullmatch(r"light-dark\((.*)\)", value.strip())
    if m:
        light, dark = re.split(r",(?![^(]*\))", m.group(1), maxsplit=1)
        return resolve(light if scheme == "light" else dark, props, scheme, depth + 1)
    return value


def declared(rules: list[Rule], selector: str, props_: tuple[str, ...]) -> str | None:
    """The winning value among `props_` for rules whose selector list contains `selector`
    exactly (the last one in source order wins, as in the cascade for equal specificity)."""
    value = None
    for rule in rules:
        if selector in rule.selectors:
            for name, v in rule.declarations:
                if name in props_:
                    value = v.replace("!important", "").strip()
    return value


def background_color(value: str | None, props: dict[str, str], scheme: str) -> RGBA | None:
    """The colour in a `background` / `background-color` value, if it has one."""
    if value is None:
        return None
    resolved = resolve(value, props, scheme)
    for token in re.findall(r"#[0-9a-fA-F]+|(?:rgba?|hsla?)\([^)]*\)|\b[a-z]+\b", resolved):
        color = parse_color(token)
        if color is not None:
            return color
    return None


@dataclass(frozen=True)
class Pair:
    """A text colour on a background, and where it was found."""

    where: str
    fg: RGBA
    bg: RGBA

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.fg, self.bg)


def _fmt(c: RGBA) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(x) for x in c[:3])) + (f"/{c[3]:.2f}" if c[3] < 1 else "")


BG = ("background-color", "background")
_STATE = re.compile(r":(hover|focus|focus-visible|focus-within|active|visited|link|target)\b")


def _without_state(compound: str) -> str:
    """A compound selector without its user-action pseudo-classes: '.x:focus' → '.x'."""
    return _STATE.sub("", compound)


def text_pairs(all_rules: list[Rule], scheme: str) -> list[Pair]:
    """Every (text colour, background) pair the theme sets up in `scheme`: the page's text and
    links on the page background, and each rule's text colour on the background of the same
    rule or of the nearest ancestor selector that sets one (else the page background)."""
    rules = rules_for(all_rules, scheme)
    props = custom_properties(rules)
    page_bg_value = declared(rules, "body", BG) or declared(rules, "html", BG) or declared(rules, ":root", BG)
    page_fg_value = declared(rules, "body", ("color",)) or declared(rules, "html", ("color",)) \
        or declared(rules, ":root", ("color",))
    assert page_bg_value, f"{scheme}: no background colour on body, html or :root"
    assert page_fg_value, f"{scheme}: no text colour on body, html or :root"
    page_bg = background_color(page_bg_value, props, scheme)
    page_fg = parse_color(resolve(page_fg_value, props, scheme))
    assert page_bg is not None, f"{scheme}: cannot read the page background {page_bg_value!r}"
    assert page_fg is not None, f"{scheme}: cannot read the page text colour {page_fg_value!r}"
    page_bg = over(page_bg, (255, 255, 255, 1.0))
    pairs = [Pair("body text", page_fg, page_bg)]

    link_value = declared(rules, "a", ("color",)) or declared(rules, "a:link", ("color",))
    link = page_fg  # links without their own colour inherit the body's
    if link_value is not None:
        link = parse_color(resolve(link_value, props, scheme))  # type: ignore[assignment]
        assert link is not None, f"{scheme}: cannot read the link colour {link_value!r}"
        pairs.append(Pair("a (links)", link, page_bg))

    # Surfaces (cards, boxes) that keep the inherited text colour: body text and links sit on
    # them as well as on the page.
    for rule in rules:
        own = rule.get("background-color") or rule.get("background")
        surface = background_color(own, props, scheme) if own and rule.get("color") is None else None
        if surface is not None and surface[3] > 0:
            surface = over(surface, page_bg)
            where = ", ".join(rule.selectors)
            pairs.append(Pair(f"body text on {where}", page_fg, surface))
            if link_value is not None:
                pairs.append(Pair(f"a (links) on {where}", link, surface))

    for rule in rules:
        fg_value = rule.get("color")
        if fg_value is None:
            continue
        try:
            fg = parse_color(resolve(fg_value, props, scheme))
        except ValueError:
            fg = None
        if fg is None:  # inherit, currentColor, or a colour function this reader does not know
            continue
        for selector in rule.selectors:
            if re.search(r"::?(selection|placeholder|marker)", selector):
                continue
            own = rule.get("background-color") or rule.get("background")
            bg = background_color(own, props, scheme) if own else None
            if bg is None:
                # The same element without its state (".x" for ".x:focus"), then the nearest
                # ancestor compound selector ("A B" then "A" for "A B C").
                parts = selector.split(" ")
                candidates = [" ".join(parts[:-1] + [_without_state(parts[-1])])]
                candidates += [" ".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
                for candidate in candidates:
                    bg = background_color(declared(rules, candidate, BG), props, scheme)
                    if bg is not None:
                        break
            bg = over(bg, page_bg) if bg is not None else page_bg
            pairs.append(Pair(selector, fg, bg))
    return pairs


def theme_css() -> str:
    """The digest theme's screen stylesheets, concatenated in name order."""
    files = sorted(p for p in THEME_STATIC.rglob("*.css") if "print" not in p.name)
    if not files:
        pytest.fail(f"no stylesheet in {THEME_STATIC.relative_to(ROOT)}", pytrace=False)
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


# --- Tests -----------------------------------------------------------------------------------
def test_wcag_contrast_formula_against_known_values() -> None:
    white, black = (255, 255, 255, 1.0), (0, 0, 0, 1.0)
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    # #777 on white is the classic near miss: 4.48:1, just below AA.
    assert contrast_ratio(parse_color("#777"), white) == pytest.approx(4.48, abs=0.01)  # type: ignore[arg-type]
    assert contrast_ratio(parse_color("#767676"), white) == pytest.approx(4.54, abs=0.01)  # type: ignore[arg-type]
    assert parse_color("rgb(255 0 0 / 50%)") == (255, 0, 0, 0.5)
    assert parse_color("hsl(0, 0%, 100%)") == pytest.approx((255, 255, 255, 1.0))


def test_reader_finds_low_contrast_in_a_dark_block() -> None:
    css = """
    :root { --bg: #fff; --fg: #1a1a1a; --link: #0b57d0; --muted: #666; }
    @media (prefers-color-scheme: dark) { :root { --bg: #121212; --fg: #eee; --link: #1a3a8a; } }
    body { background: var(--bg); color: var(--fg); }
    a { color: var(--link); }
    .meta { color: var(--muted, #000); }
    .masthead { background-color: #14213d; }
    .box { background: var(--box, #d0d0d0) url(x.png); }
    .masthead a { color: light-dark(#fff, #ffd); }
    .skip { background: var(--fg); color: var(--bg); }
    .skip:focus { color: var(--bg); }
    @media print { body { color: #aaa; } }
    """
    rules = parse_css(css)
    light = {p.where: round(p.ratio, 2) for p in text_pairs(rules, "light")}
    dark = {p.where: round(p.ratio, 2) for p in text_pairs(rules, "dark")}
    assert light["body text"] > 15 and light["a (links)"] >= AA_NORMAL_TEXT
    assert light[".meta"] == pytest.approx(5.74, abs=0.01)
    assert light[".masthead a"] > 14  # on the masthead's own background, not the page's
    assert light[".skip:focus"] == light[".skip"] > 15  # the same element's background
    assert dark["a (links)"] < 2  # the dark link colour is unreadable: the gate must catch it
    # Body text and links on a surface that keeps the inherited colours; the masthead is dark
    # so the inherited dark text on it fails.
    assert light["a (links) on .box"] == pytest.approx(4.14, abs=0.01)  # below AA: caught
    assert light["body text on .masthead"] < 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_text_and_links_meet_wcag_aa(scheme: str) -> None:
    css = theme_css()
    rules = parse_css(css)
    if scheme == "dark":
        assert any("prefers-color-scheme" in c and "dark" in c for r in rules for c in r.conditions), \
            "the theme has no @media (prefers-color-scheme: dark) block"
    pairs = text_pairs(rules, scheme)
    failing = [p for p in pairs if p.ratio < AA_NORMAL_TEXT]
    report = "\n".join(f"  {p.where}: {_fmt(p.fg)} on {_fmt(p.bg)} = {p.ratio:.2f}:1" for p in failing)
    assert not failing, f"{scheme} scheme: {len(failing)} colour pairs below {AA_NORMAL_TEXT}:1\n{report}"
