// The search page: folds the query the way sitegen folded the index (a port of
// sitegen.arabic.fold), asks Pagefind (every shard of the index, merged), and shows each
// result's title, date, source and an excerpt in the article's own spelling, rebuilt from
// Pagefind's folded content and the record's spelling file (sitegen.search).
// Loaded as a module by templates/search.html; the parity of `fold` with Python's is tested
// in tests/browser/test_search.py.

// --- fold(): keep in step with sitegen/arabic.py ------------------------------------------
const LETTER_FOLD = {
  "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
  "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي",
  "ک": "ك", "ڪ": "ك",
  "ة": "ه", "ۃ": "ه", "ھ": "ه", "ہ": "ه",
};
const ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
const FOLD = { ...LETTER_FOLD };
for (let i = 0; i < 10; i++) {
  FOLD[ARABIC_INDIC[i]] = String(i);
  FOLD[PERSIAN[i]] = String(i);
}
// Zero-width characters and bidi controls: invisible, never part of a word.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff\u00ad]/g;
// Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, tatweel.
const DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]/g;
// Python's \s also matches the information separators and NEL; JavaScript's does not.
const SPACE = /[\s\x1c-\x1f\x85]+/g;

/** The matching key of `text`: letters folded, marks and invisibles removed, digits ASCII,
 * Latin lower-cased, whitespace collapsed to single spaces and trimmed. */
export function fold(text) {
  text = text.normalize("NFKC").replace(INVISIBLE, "").replace(DIACRITICS, "");
  let out = "";
  for (const ch of text) out += FOLD[ch] ?? ch;
  return out.toLowerCase().replace(SPACE, " ").trim();
}

// --- excerpts -------------------------------------------------------------------------------
/** The original words of a record: Pagefind's (folded) content, split into its words, with
 * the words of the spelling file's patch put in (sitegen.search.apply_spelling): `patch` is
 * [run, word, run, word, …, run], keep `run` words, then show `word` for the next one.
 * Null when the two do not line up. */
export function spellWords(content, patch) {
  if (typeof content !== "string" || !Array.isArray(patch)) return null;
  const words = content.split(/\s+/).filter(Boolean);
  let at = 0;
  for (let i = 0; i + 1 < patch.length; i += 2) {
    at += patch[i];
    if (at >= words.length) return null;
    words[at++] = patch[i + 1];
  }
  return at + patch[patch.length - 1] === words.length ? words : null;
}

/** The excerpt of a result: `length` body words around the densest run of matches.
 * `words` are the record's original words (title first), `locations` Pagefind's matched
 * word positions, `titleWords` how many of the words are the title's. Returns
 * {title: [[word, marked]], body: [[word, marked]], before: bool, after: bool}. */
export function excerpt(words, locations, titleWords, length = 30) {
  // A match on the second or later word of one that folded into several (ﷺ) marks it.
  const hits = new Set(locations.map((l) => {
    while (l > 0 && words[l] === "") l--;
    return l;
  }));
  const pick = (from, to) => {
    const out = [];
    for (let i = from; i < to; i++) if (words[i]) out.push([words[i], hits.has(i)]);
    return out;
  };
  const body = locations.filter((l) => l >= titleWords).sort((a, b) => a - b);
  const count = words.length - titleWords;
  let start = 0;
  if (body.length) {
    let best = -1;
    for (const l of body) {
      // A little context before the first match of the window.
      const from = Math.max(0, Math.min(l - titleWords - 5, count - length));
      const inside = body.filter((x) => x - titleWords >= from && x - titleWords < from + length).length;
      if (inside > best) [best, start] = [inside, from];
    }
  }
  const end = Math.min(count, start + length);
  return {
    title: pick(0, titleWords),
    body: pick(titleWords + start, titleWords + end),
    before: start > 0,
    after: end < count,
  };
}

// --- the page ---------------------------------------------------------------------------------
const PAGE_SIZE = 20; // results shown at first, and added by each "more"

function digits(text, numerals) {
  return numerals === "arab" ? text.replace(/[0-9]/g, (d) => ARABIC_INDIC[d]) : text;
}

// A run of Latin script inside Arabic text ("Truth Social", "Trump Media & Technology
// Group"): sitegen.arabic.LATIN_RUN. Shown in <bdi>, as the article pages do, so the
// punctuation around it stays where the writer put it.
const LATIN_RUN = /[A-Za-z][A-Za-z0-9]*(?:[ &.'’\-]+[A-Za-z0-9][A-Za-z0-9]*)*/g;
// Punctuation and symbols at either end of a word («ترامب،»): outside its <mark>.
const LEADING = /^[\p{P}\p{S}]+/u;
const TRAILING = /[\p{P}\p{S}]+$/u;

/** [start, end) of the part of `word` to mark: without the punctuation attached to it (all
 * of it when the word is nothing but punctuation). */
export function markRange(word) {
  const start = word.match(LEADING)?.[0].length ?? 0;
  if (start === word.length) return [0, word.length];
  const end = word.length - (word.match(TRAILING)?.[0].length ?? 0);
  return [start, end];
}

/** Words as text, appended to `parent`: matched words in <mark>, Latin runs in <bdi>. */
function appendWords(parent, words, numerals) {
  let text = "";
  const marks = []; // [start, end) of each matched word in `text`
  words.forEach(([word, marked], i) => {
    if (i) text += " ";
    if (marked) {
      const [from, to] = markRange(word);
      marks.push([text.length + from, text.length + to]);
    }
    text += word;
  });
  // Regions of the text: outside or inside a Latin run.
  const regions = [];
  let pos = 0;
  for (const m of text.matchAll(LATIN_RUN)) {
    if (m.index > pos) regions.push([pos, m.index, false]);
    regions.push([m.index, m.index + m[0].length, true]);
    pos = m.index + m[0].length;
  }
  if (pos < text.length) regions.push([pos, text.length, false]);
  for (const [from, to, latin] of regions) {
    const target = latin ? document.createElement("bdi") : parent;
    let at = from;
    for (const [ms, me] of marks) {
      const a = Math.max(ms, from);
      const b = Math.min(me, to);
      if (a >= b) continue;
      if (a > at) target.append(digits(text.slice(at, a), numerals));
      const mark = document.createElement("mark");
      mark.textContent = digits(text.slice(a, b), numerals);
      target.append(mark);
      at = b;
    }
    if (at < to) target.append(digits(text.slice(at, to), numerals));
    if (latin) parent.append(target);
  }
}

/** The record's spelling file ({title_words, patch}, gzipped JSON), or null when it cannot
 * be had. A host may have unzipped it already (serving it with Content-Encoding: gzip). */
async function spelling(bundle, data) {
  if (!data.meta.spelling) return null;
  try {
    const response = await fetch(bundle + data.meta.spelling);
    if (!response.ok) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return await new Response(stream).json();
  } catch {
    return null;
  }
}

/** The date and source line of a result, as the article cards show them. */
function metaLine(meta) {
  const p = document.createElement("p");
  p.className = "meta";
  if (meta.date) {
    const time = document.createElement("time");
    if (meta.iso) time.dateTime = meta.iso;
    time.textContent = meta.date;
    p.append(time);
  }
  if (meta.date && meta.source) p.append(" · ");
  if (meta.source) {
    const source = document.createElement("span");
    source.className = "source";
    appendWords(source, meta.source.split(" ").map((w) => [w, false]), "latn");
    p.append(source);
  }
  return p;
}

function resultItem(data, spelled, numerals) {
  const li = document.createElement("li");
  li.className = "search-result";
  const h2 = document.createElement("h2");
  h2.className = "card-title";
  h2.dir = "auto";
  const a = document.createElement("a");
  a.href = data.url;
  h2.append(a);
  const p = document.createElement("p");
  p.className = "summary";
  p.dir = "auto";
  const words = spelled ? spellWords(data.content, spelled.patch) : null;
  // Pagefind's locations index its content's words; the spelled words line up with them one
  // to one. If they ever do not, show Pagefind's own (folded) excerpt rather than a wrong one.
  if (words && words.length === data.word_count) {
    const ex = excerpt(words, data.locations, Number(spelled.title_words || 0));
    appendWords(a, ex.title, numerals);
    if (ex.before) p.append("… ");
    appendWords(p, ex.body, numerals);
    if (ex.after) p.append(" …");
  } else {
    a.textContent = digits(data.meta.title || data.url, numerals);
    const tmp = document.createElement("div");
    tmp.innerHTML = data.excerpt;
    p.append(...tmp.childNodes);
  }
  li.append(h2);
  if (data.meta.date || data.meta.source) li.append(metaLine(data.meta));
  li.append(p);
  return li;
}

function statusText(count, query, numerals) {
  if (!count) return `لا نتائج للبحث عن «${query}».`;
  return digits(`عدد النتائج: ${count}`, numerals);
}

/** Pagefind with every shard of the index merged (pagefind/shards.json lists them), or
 * null when the site has no article. */
async function loadPagefind(bundle, base) {
  const response = await fetch(bundle + "shards.json", { cache: "no-cache" });
  if (!response.ok) throw new Error(`${bundle}shards.json: ${response.status}`);
  const { shards } = await response.json();
  if (!shards.length) return null;
  const pagefind = await import(bundle + shards[0] + "pagefind.js");
  // Records hold URLs relative to the site root; the page knows the site's base path.
  // Pagefind 1.5 also matches meta fields; ours hold the original spelling for display and
  // must not count, so ranking rests on the folded text alone (the folded title being an
  // <h1>, title words weigh more than body words).
  const options = {
    baseUrl: base,
    ranking: { metaWeights: { title: 0, date: 0, iso: 0, source: 0, spelling: 0 } },
  };
  await pagefind.options(options);
  pagefind.init();
  await Promise.all(shards.slice(1).map((shard) => pagefind.mergeIndex(bundle + shard, options)));
  return pagefind;
}

async function start(root) {
  const form = document.querySelector("form.search-form");
  const input = form.elements.q;
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-results");
  const more = document.createElement("button");
  more.type = "button";
  more.className = "search-more";
  more.textContent = "عرض المزيد";
  more.hidden = true;
  root.append(more);
  const numerals = root.dataset.numerals;
  const bundle = root.dataset.pagefind;
  // Loaded while the listeners below are already there: a query typed meanwhile waits for it.
  const ready = loadPagefind(bundle, root.dataset.base);
  let latest = 0;
  let results = [];
  let shown = 0;

  /** Show the next PAGE_SIZE results of the current search (of number `id`). */
  async function showMore(id) {
    const next = results.slice(shown, shown + PAGE_SIZE);
    const items = await Promise.all(next.map(async (r) => {
      const data = await r.data();
      return resultItem(data, await spelling(bundle, data), numerals);
    }));
    if (id !== latest) return false; // a newer query has started
    list.append(...items);
    shown += next.length;
    more.hidden = shown >= results.length;
    root.dataset.shown = String(shown);
    return true;
  }

  async function run(query) {
    const id = ++latest;
    const url = new URL(location.href);
    if (query.trim()) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    const key = fold(query);
    if (!key) {
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      root.dataset.state = "idle";
      return;
    }
    root.dataset.state = "searching";
    const pagefind = await ready;
    const found = pagefind ? (await pagefind.search(key)).results : [];
    if (id !== latest) return;
    results = found;
    shown = 0;
    list.replaceChildren();
    if (!(await showMore(id))) return;
    status.textContent = statusText(results.length, query.trim(), numerals);
    root.dataset.state = "done";
    root.dataset.query = query; // what the shown results answer (tests wait for it)
  }

  more.addEventListener("click", async () => {
    const id = latest;
    root.dataset.state = "searching";
    if (await showMore(id).catch(failed)) root.dataset.state = "done";
  });
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value).catch(failed), 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value).catch(failed);
  });
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  await run(query);
}

const root = document.getElementById("search");

function failed(error) {
  root.querySelector(".search-status").textContent = "تعذّر تحميل البحث.";
  root.dataset.state = "error";
  console.error(error);
}

if (root) start(root).catch(failed);
