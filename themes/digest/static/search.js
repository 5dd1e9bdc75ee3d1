// The search page: folds the query the way sitegen folded the index (a port of
// sitegen.arabic.fold), asks Pagefind, and shows each result's title and an excerpt in the
// article's own spelling, built from the original words stored with the record.
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
/** The original words of a record, from its `words` meta (sitegen.search.encode_words):
 * joined by spaces, an empty word written as U+2063, a space inside a word as NBSP. */
export function decodeWords(meta) {
  if (typeof meta !== "string") return null;
  return meta.split(" ").map((w) => (w === "\u2063" ? "" : w.replaceAll("\u00a0", " ")));
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
const MAX_RESULTS = 20;

function digits(text, numerals) {
  return numerals === "arab" ? text.replace(/[0-9]/g, (d) => ARABIC_INDIC[d]) : text;
}

// A run of Latin script inside Arabic text ("Truth Social", "Trump Media & Technology
// Group"): sitegen.arabic.LATIN_RUN. Shown in <bdi>, as the article pages do, so the
// punctuation around it stays where the writer put it.
const LATIN_RUN = /[A-Za-z][A-Za-z0-9]*(?:[ &.'’\-]+[A-Za-z0-9][A-Za-z0-9]*)*/g;

/** Words as text, appended to `parent`: matched words in <mark>, Latin runs in <bdi>. */
function appendWords(parent, words, numerals) {
  let text = "";
  const marks = []; // [start, end) of each matched word in `text`
  words.forEach(([word, marked], i) => {
    if (i) text += " ";
    if (marked) marks.push([text.length, text.length + word.length]);
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

function resultItem(data, numerals) {
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
  const words = decodeWords(data.meta.words);
  const titleWords = Number(data.meta.title_words || 0);
  // Pagefind's locations index the indexed words; the stored words line up with them one
  // to one. If they ever do not, show Pagefind's own (folded) excerpt rather than a wrong one.
  if (Array.isArray(words) && words.length === data.word_count) {
    const ex = excerpt(words, data.locations, titleWords);
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
  li.append(h2, p);
  return li;
}

function statusText(count, query, numerals) {
  if (!count) return `لا نتائج للبحث عن «${query}».`;
  return digits(`عدد النتائج: ${count}`, numerals) + (count > MAX_RESULTS
    ? digits(` (تُعرض أول ${MAX_RESULTS})`, numerals) : "");
}

async function start(root) {
  const form = document.querySelector("form.search-form");
  const input = form.elements.q;
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-results");
  const numerals = root.dataset.numerals;
  const pagefind = await import(root.dataset.pagefind);
  // Records hold URLs relative to the site root; the page knows the site's base path.
  // Pagefind 1.5 also matches meta fields; ours hold the original spelling for display and
  // must not count, so ranking rests on the folded text alone (the folded title being an
  // <h1>, title words weigh more than body words).
  await pagefind.options({
    baseUrl: root.dataset.base,
    ranking: { metaWeights: { title: 0, words: 0, title_words: 0 } },
  });
  pagefind.init();
  let latest = 0;

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
      root.dataset.state = "idle";
      return;
    }
    root.dataset.state = "searching";
    const search = await pagefind.search(key);
    const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (id !== latest) return; // a newer query has started
    list.replaceChildren(...data.map((d) => resultItem(d, numerals)));
    status.textContent = statusText(search.results.length, query.trim(), numerals);
    root.dataset.state = "done";
    root.dataset.query = query; // what the shown results answer (tests wait for it)
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  await run(query);
}

const root = document.getElementById("search");
if (root) {
  start(root).catch((error) => {
    root.querySelector(".search-status").textContent = "تعذّر تحميل البحث.";
    root.dataset.state = "error";
    console.error(error);
  });
}
