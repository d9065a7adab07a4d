"""A deterministic generator of realistic synthetic seed corpora, for benchmarks and scale tests.

``python benchmarks/generate.py N OUT`` writes ``OUT/`` as a seeds folder: N articles of 600–1,200
words in 10–20 paragraphs (curly quotes, dashes, names), 3–8 excerpts each across 8 topics with
stance tags, people who are mentioned, and dated events supported by excerpts.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

TOPICS = [
    ("taiwan", "Taiwan", ["Taiwan", "cross-Strait", "Taiwan Strait"]),
    ("fentanyl", "Fentanyl", ["fentanyl", "precursor chemicals", "counter-narcotics"]),
    ("mil-to-mil", "Military-to-military communication", ["military-to-military", "defense dialogues", "hotline"]),
    ("ukraine", "Ukraine", ["Ukraine", "Russia's war", "machine tools"]),
    ("trade", "Trade and tariffs", ["tariffs", "export controls", "supply chains"]),
    ("climate", "Climate", ["climate change", "emissions", "methane"]),
    ("ai", "Artificial intelligence", ["artificial intelligence", "AI governance", "chips"]),
    ("south-china-sea", "South China Sea", ["South China Sea", "Philippines", "reef"]),
]
PEOPLE = [
    ("antony-blinken", "Antony Blinken", "us", "US Secretary of State", ["Antony Blinken", "Blinken"]),
    ("lloyd-austin", "Lloyd Austin", "us", "US Secretary of Defense", ["Lloyd Austin", "Austin"]),
    ("janet-yellen", "Janet Yellen", "us", "US Secretary of the Treasury", ["Janet Yellen", "Yellen"]),
    ("xi-jinping", "Xi Jinping", "china", "President of China", ["Xi Jinping", "Xi"]),
    ("wang-yi", "Wang Yi", "china", "Foreign Minister of China", ["Wang Yi"]),
    ("dong-jun", "Dong Jun", "china", "Defence Minister of China", ["Dong Jun", "Dong"]),
]
OUTLETS = ["Global Affairs Wire", "Pacific Ledger", "The Diplomatic Courier", "Harbour Times", ""]
FILLER = ("officials said the talks were candid and constructive while analysts warned that "
          "progress would be slow and uneven across the many areas of disagreement between the "
          "two governments after months of strained contacts and mutual suspicion in the region").split()


def sentence(rng: random.Random, words: int, term: str | None = None, person: str | None = None) -> str:
    """A sentence of about ``words`` words, with a topic term and a person when given."""
    body = [rng.choice(FILLER) for _ in range(words)]
    if term:
        body.insert(rng.randrange(1, len(body)), term)
    if person:
        body.insert(0, person)
    text = " ".join(body)
    text = text[0].upper() + text[1:]
    flourish = rng.random()
    if flourish < 0.2:
        text += f", “{rng.choice(FILLER)} {rng.choice(FILLER)}” — {rng.choice(FILLER)}"
    elif flourish < 0.3:
        text += f" ‘{rng.choice(FILLER)}’ – {rng.choice(FILLER)}"
    return text + "."


def generate(count: int, out: Path, seed: int = 7) -> Path:
    """Write a seeds folder with ``count`` articles into ``out``."""
    rng = random.Random(seed)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    cited: set[str] = set()  # topics whose bottom line has an excerpt to cite (its id: cite-<slug>)
    people = ["people:"] + [f"  - {{id: {i}, name: {n}, side: {s}, role: {r}, aliases: [{', '.join(a)}]}}"
                             for i, n, s, r, a in PEOPLE]
    (out / "people.yml").write_text("\n".join(people) + "\n", encoding="utf-8")
    start = dt.date(2020, 1, 1)
    events = ["events:"]
    for index in range(count):
        date = start + dt.timedelta(days=index * 3 // 2)
        article_id = f"{date.isoformat()}-synthetic-article-{index:05d}"
        paragraphs = []
        excerpts = []
        n_paragraphs = rng.randint(10, 20)
        tagged = set(rng.sample(range(n_paragraphs), rng.randint(3, min(8, n_paragraphs))))
        words_left = rng.randint(600, 1200)
        for number in range(n_paragraphs):
            per = max(30, words_left // (n_paragraphs - number))
            words_left -= per
            topic = rng.choice(TOPICS) if number in tagged else None
            person = rng.choice(PEOPLE)[4][-1] if rng.random() < 0.4 else None
            key = f"Item {index}-{number}:"
            first = sentence(rng, 12, topic[2][rng.randrange(3)] if topic else None, person)
            rest = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(max(1, per // 14 - 1)))
            paragraphs.append(f"{key} {first} {rest}")
            if topic:
                slugs = [topic[0]] + ([rng.choice(TOPICS)[0]] if rng.random() < 0.2 else [])
                stance = rng.choice(["us", "china", None, None])
                excerpts.append((f"{key} {first}", sorted(set(slugs)), stance))
        if index % 2 == 0 and excerpts:
            events += [f"  - date: {date.isoformat()}", f"    title: Synthetic event {index}",
                       f"    topics: [{excerpts[0][1][0]}]", "    support:",
                       f"      - article: {article_id}", f"        quote: \"{excerpts[0][0][:60]}\""]
        front = [
            "---", f"id: {article_id}", f"title: Synthetic article {index} on {excerpts[0][1][0] if excerpts else 'news'}",
            f"source: \"{OUTLETS[index % len(OUTLETS)]}\"", "authors: [A. Writer]", f"published: {date.isoformat()}",
            "language: en", "url: \"\"", "excerpts:"]
        for quote, slugs, stance in excerpts:
            name = [] if slugs[0] in cited else [f"  - id: cite-{slugs[0]}"]
            cited.add(slugs[0])
            front += name + [f"  {'  ' if name else '- '}quote: \"{quote}\"", f"    topics: [{', '.join(slugs)}]"] + (
                [f"    stance: {stance}"] if stance else [])
        text = "\n".join(front) + "\n---\n\n" + "\n\n".join(paragraphs) + "\n"
        (out / "articles" / f"{article_id}.md").write_text(text, encoding="utf-8")
    (out / "events.yml").write_text("\n".join(events) + "\n", encoding="utf-8")
    lines = ["topics:"]
    for slug, title, terms in TOPICS:
        related = [t[0] for t in TOPICS if t[0] != slug][:2]
        cite = f" [ex:cite-{slug}]" if slug in cited else ""
        lines += [f"  - slug: {slug}", f"    title: {title}", f"    scope: Synthetic topic {title}.",
                  f"    related: [{', '.join(related)}]", f"    bottom_line: A synthetic bottom line{cite}.",
                  "    rules:", "      terms:"] + [f"        {t}: 2" for t in terms]
    (out / "topics.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
