"""Generate a synthetic news digest for benchmarks: N articles built from the seeds' real
Arabic sentences, with a fixed random seed so every run measures the same corpus.

Each article has 600–1,500 words in paragraphs, two to four subheadings, sometimes a list,
3–6 tags out of ~200, read-also and related references to other articles (some resolvable,
some not), and a date spread over 2019–2026.

The seeds' sentences hold only ~1,150 distinct words, far fewer than real news (a search
index's word lists are then few and long). With `vocabulary="realistic"`, half of the words
are replaced by words drawn, Zipf-distributed, from 150,000 made-up Arabic words (with the
usual prefixes), so 10,000 articles use ~100,000 distinct words, as a year of a real digest does.

With `images=K` (K > 0), K pictures of our own making (shapes drawn with Pillow, photographs'
sizes and ratios) are written to static/images/, the first is the `default_image`, and about
six articles in ten get one as their lead image (`image`, `image_alt`, sometimes a caption),
one in five one in the body: a few images referenced by many articles. The articles' text
is the same with or without images.

    python bench/corpus.py DEST N [--vocabulary realistic] [--images K]   # writes DEST/config.toml, content/, themes/[, static/]
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen import frontmatter  # noqa: E402
from sitegen.arabic import ARABIC_LETTER, fold  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")


def seed_sentences(seeds_dir: Path) -> list[str]:
    """The seeds' body sentences: lines long enough to be prose, split at sentence ends."""
    sentences: list[str] = []
    for path in sorted(seeds_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.replace("\u00a0", " ").strip(" •\t")
            if len(line.split()) < 12:
                continue
            sentences.extend(s for s in _SENTENCE_END.split(line) if len(s.split()) >= 6)
    return sentences


def tag_vocabulary(sentences: list[str], size: int = 200) -> list[str]:
    """~`size` distinct one- and two-word Arabic phrases from the sentences, in a stable order."""
    seen: dict[str, str] = {}
    for sentence in sentences:
        words = [w.strip('"،.:؟()«»') for w in sentence.split()]
        words = [w for w in words if len(w) >= 4 and ARABIC_LETTER.search(w)]
        for i, word in enumerate(words):
            for phrase in (word, " ".join(words[i:i + 2])):
                seen.setdefault(fold(phrase), phrase)
    phrases = sorted(seen.values(), key=lambda p: (fold(p), p))
    step = max(1, len(phrases) // size)
    return phrases[::step][:size]


def make_titles(rng: random.Random, sentences: list[str], n: int) -> list[str]:
    """N distinct headlines: 6–10 consecutive words of a random sentence, numbered."""
    titles = []
    for i in range(n):
        words = rng.choice(sentences).rstrip(".؟!").split()
        start = rng.randrange(max(1, len(words) - 8))
        titles.append(" ".join(words[start:start + rng.randint(6, 10)]) + f" {i + 1}")
    return titles


VOCABULARY = ("seeds", "realistic")
"""The corpus's vocabularies: the seeds' words only, or a realistic one (see the module)."""


def made_up_words(rng: random.Random, size: int) -> list[str]:
    """`size` distinct Arabic-looking words: 2–4 consonant roots of the common letters with
    pattern vowels, some with a prefix (ال, و, ب, ل) or a suffix (ة, ات, ون, ين)."""
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    prefixes = ["", "", "", "ال", "وال", "بال", "و", "ل"]
    suffixes = ["", "", "", "ة", "ات", "ون", "ين", "ي"]
    words: dict[str, None] = {}
    while len(words) < size:
        root = "".join(rng.choice(letters) for _ in range(rng.randint(3, 5)))
        words[rng.choice(prefixes) + root + rng.choice(suffixes)] = None
    return list(words)


IMAGE_SIZES = ((1600, 900), (1200, 800), (800, 1200), (2000, 1000), (640, 480), (1440, 1440))
"""The generated pictures' sizes, in turn: landscape, portrait, wide, small, square."""


def make_pictures(folder: Path, count: int, seed: int) -> list[str]:
    """Write `count` JPEG pictures of our own making (coloured fields with discs and bars)
    into `folder`; return their names. The same seed gives the same bytes."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(count):
        width, height = IMAGE_SIZES[k % len(IMAGE_SIZES)]
        im = Image.new("RGB", (width, height), tuple(rng.randrange(40, 200) for _ in range(3)))  # type: ignore[arg-type]
        draw = ImageDraw.Draw(im)
        for _ in range(6):
            x, y = rng.randrange(width), rng.randrange(height)
            r = rng.randrange(min(width, height) // 10, min(width, height) // 3)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
            draw.rectangle((0, y, width, y + r // 4), fill=tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
        out = io.BytesIO()
        im.save(out, "JPEG", quality=88)
        name = f"picture-{k + 1:02d}.jpg"
        (folder / name).write_bytes(out.getvalue())
        names.append(name)
    return names


def generate(dest: Path, n: int, seed: int = 20261121, vocabulary: str = "seeds", images: int = 0) -> list[Path]:
    """Write an N-article site into `dest` (config.toml, content/, themes/, and with `images`
    static/images/); return the content files. `vocabulary`: one of VOCABULARY."""
    rng = random.Random(seed)
    # Its own random stream: the articles are the same with or without images.
    image_rng = random.Random(seed + 2)
    sentences = seed_sentences(ROOT / "seeds")
    if vocabulary == "realistic":
        words_rng = random.Random(seed + 1)
        lexicon = made_up_words(words_rng, 150_000)
        cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(lexicon))))

        def vary(text: str) -> str:
            words = text.split()
            picks = words_rng.choices(lexicon, cum_weights=cumulative, k=len(words))
            return " ".join(p if words_rng.random() < 0.5 else w for w, p in zip(words, picks))
    else:
        def vary(text: str) -> str:
            return text
    tags = tag_vocabulary(sentences)
    # Zipf-like tag popularity: a few tags on many articles, most on few, as in real digests.
    tag_weights = [1 / (rank + 1) for rank in range(len(tags))]
    content = dest / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    if (ROOT / "themes").is_dir() and not (dest / "themes").exists():
        shutil.copytree(ROOT / "themes", dest / "themes")
    (dest / "config.toml").write_text(
        'title = "موجز تجريبي"\nbase_url = "https://bench.example.org/"\n', encoding="utf-8"
    )
    pictures = make_pictures(dest / "static" / "images", images, seed) if images > 0 else []
    if pictures:
        with (dest / "config.toml").open("a", encoding="utf-8") as f:
            f.write(f'default_image = "images/{pictures[0]}"\n')

    titles = make_titles(rng, sentences, n)
    slugs = [f"article-{i + 1:05d}" for i in range(n)]
    first_day = datetime.date(2019, 1, 1).toordinal()
    span = datetime.date(2026, 11, 1).toordinal() - first_day

    written = []
    for i in range(n):
        body: list[str] = []
        words = 0
        target = rng.randint(600, 1500)
        headings = rng.randint(2, 4)
        while words < target:
            if headings and len(body) >= 2 and rng.random() < 0.25:
                body.append("## " + " ".join(rng.choice(sentences).split()[:rng.randint(3, 6)]))
                headings -= 1
            elif rng.random() < 0.08:
                body.append("\n".join("- " + " ".join(rng.choice(sentences).split()[:8])
                                      for _ in range(rng.randint(2, 4))))
            else:
                paragraph = vary(" ".join(rng.choice(sentences) for _ in range(rng.randint(2, 4))))
                body.append(paragraph)
                words += len(paragraph.split())
        others = [j for j in rng.sample(range(n), min(n, 8)) if j != i]
        related = [{"title": titles[j], "slug": slugs[j]} for j in others[2:2 + rng.randint(0, 4)]]
        if rng.random() < 0.3:  # a headline that names no article in the corpus
            related.append({"title": " ".join(rng.choice(sentences).split()[:7]), "slug": None})
        meta = {
            "title": titles[i],
            "slug": slugs[i],
            "date": datetime.date.fromordinal(first_day + rng.randrange(span)),
            "source": rng.choice(["صدى البلد", "الاقتصاد نيوز", "وكالات", "رويترز"]),
            "tags": sorted(set(rng.choices(tags, weights=tag_weights, k=rng.randint(3, 6))),
                           key=tags.index),
            "read_also": [slugs[j] for j in others[:rng.randint(0, 2)]],
            "related": related,
            "summary": body[0].split(". ")[0][:200],
        }
        if pictures:
            if image_rng.random() < 0.6:
                meta["image"] = f"images/{image_rng.choice(pictures)}"
                meta["image_alt"] = " ".join(titles[i].split()[:5])
                if image_rng.random() < 0.5:
                    meta["image_caption"] = " ".join(image_rng.choice(sentences).split()[:6])
            if image_rng.random() < 0.2 and len(body) > 2:
                at = image_rng.randrange(1, len(body))
                alt = "صورة: " + " ".join(titles[i].split()[:3])
                body.insert(at, f"![{alt}](/static/images/{image_rng.choice(pictures)})")
        path = content / f"{slugs[i]}.md"
        path.write_text(frontmatter.dump(meta, "\n\n".join(body)), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--vocabulary", choices=VOCABULARY, default="seeds")
    parser.add_argument("--images", type=int, default=0, metavar="K",
                        help="K generated pictures in static/images/, used by most articles")
    args = parser.parse_args()
    files = generate(args.dest, args.n, args.seed, args.vocabulary, args.images)
    print(f"wrote {len(files):,} articles to {args.dest / 'content'}")


if __name__ == "__main__":
    main()
