"""What a pull request changes in the seeds, for the preview's "Changes" page.

The base seeds are read with git (``git archive REF seeds``) and compared with the
verified seeds of the working tree. Pure comparison; the git reading is kept apart.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import BriefingError
from ..core.load import collect_seeds
import difflib
import re

from ..core.model import Anchored, Article, Briefing, Event, Excerpt, Seeds, Topic
from ..core.text import normalize


class GitError(BriefingError):
    """The base of a preview could not be read with git."""


def _git(root: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


DEFAULT_BASES = ("main", "origin/HEAD", "master")
"""Where a preview compares from when no ``--base-ref`` is given: the first that exists."""


def resolve_base(seeds_dir: Path, base_ref: str | None) -> tuple[str, str, Path]:
    """(name, commit, repository) of what a preview compares with: ``base_ref``, or the merge
    base of HEAD with the first of ``DEFAULT_BASES`` that exists, in the repository of the seeds."""
    if not seeds_dir.is_dir():
        raise GitError(f"the seeds folder {seeds_dir} does not exist")
    try:
        repo = Path(_git(seeds_dir, "rev-parse", "--show-toplevel").decode().strip())
    except GitError:
        raise GitError(f"the seeds folder {seeds_dir} is not in a git repository, so there is no base to "
                       "compare with; a preview needs the seeds in git (commit them, then build the preview "
                       "from that repository)") from None
    if base_ref:
        try:
            return base_ref, _git(repo, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}").decode().strip(), repo
        except GitError:
            raise GitError(f"--base-ref {base_ref!r} is not a commit in {repo}") from None
    for name in DEFAULT_BASES:
        try:
            _git(repo, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        except GitError:
            continue
        try:
            return f"the merge base with {name}", _git(repo, "merge-base", "HEAD", name).decode().strip(), repo
        except GitError:  # no common history (or no HEAD yet): compare with the branch itself
            return name, _git(repo, "rev-parse", f"{name}^{{commit}}").decode().strip(), repo
    raise GitError(f"no --base-ref given, and none of {', '.join(DEFAULT_BASES)} exists in {repo}; "
                   "give --base-ref with the branch or commit the pull request is compared with")


def read_base_seeds(repo: Path, seeds_dir: Path, commit: str) -> Seeds:
    """Load the seeds as they were at ``commit`` of ``repo`` (problems in them are ignored)."""
    prefix = seeds_dir.resolve().relative_to(repo.resolve()).as_posix()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            archive = _git(repo, "archive", "--format=tar", commit, prefix)
        except GitError:
            return Seeds(topics=(), articles=())  # no seeds at the base: everything is new
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        return collect_seeds(Path(tmp) / prefix, [], root=Path(tmp))


@dataclass(frozen=True)
class ExcerptChange:
    """An excerpt added to, removed from or changed in one topic."""

    kind: str
    """``added``, ``removed`` or ``changed``."""
    excerpt: Excerpt
    article: Article | None
    """The article in the preview, None when it was removed."""
    anchored: Anchored | None
    """Where the excerpt is in the preview; None for a removed excerpt."""
    details: tuple[str, ...] = ()
    """For a changed excerpt: what changed."""


@dataclass(frozen=True)
class ProseChange:
    """A piece of editor's prose that changed, with its word-level difference."""

    where: str
    """What it is: "Taiwan: bottom line", "note on an excerpt of <article>"."""
    old: str
    new: str

    @property
    def diff(self) -> tuple[tuple[str, str], ...]:
        """(kind, text) runs: ``same``, ``removed`` or ``added``."""
        return word_diff(self.old, self.new)


_WORDS = re.compile(r"\S+\s*")


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """The word-level difference from ``old`` to ``new`` as (kind, text) runs."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("added", "".join(b[j1:j2])))
    return tuple(runs)


@dataclass(frozen=True)
class TopicChanges:
    """The excerpt changes of one topic."""

    topic: Topic
    changes: tuple[ExcerptChange, ...]


@dataclass(frozen=True)
class ChangesPage:
    """Context of the "Changes in this preview" page."""

    dest_path: str
    base: str
    articles_added: tuple[Article, ...]
    articles_changed: tuple[Article, ...]
    articles_removed: tuple[Article, ...]
    topics: tuple[TopicChanges, ...]
    excerpts: tuple[ExcerptChange, ...] = ()
    """Every excerpt change once (an excerpt on several topics is listed once, with them)."""
    prose: tuple[ProseChange, ...] = ()
    events_added: tuple[Event, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the preview changes nothing in the seeds."""
        return not (self.articles_added or self.articles_changed or self.articles_removed
                    or any(t.changes for t in self.topics) or self.prose or self.events_added)

    @property
    def summary(self) -> tuple[str, ...]:
        """The changes in a few lines: articles, excerpts per topic, prose, events."""
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"
        lines = [f"Articles: {len(self.articles_added)} added, {len(self.articles_changed)} changed, "
                 f"{len(self.articles_removed)} removed"]
        for t in self.topics:
            if t.changes:
                kinds = {k: sum(1 for c in t.changes if c.kind == k) for k in ("added", "removed", "changed")}
                lines.append(f"{t.topic.title}: " + ", ".join(f"{n(v, 'excerpt')} {k}" for k, v in kinds.items() if v))
        if self.prose:
            lines.append(f"Editor's prose: {n(len(self.prose), 'change')} ("
                         + "; ".join(p.where for p in self.prose[:6]) + ("; …" if len(self.prose) > 6 else "") + ")")
        if self.events_added:
            lines.append(f"Events: {len(self.events_added)} added")
        return tuple(lines)

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body."""
        if self.empty:
            return ()
        found = [(2, "summary", "Summary")]
        found += [(2, "prose", "Editor's prose")] if self.prose else []
        found += [(2, "excerpts", "Excerpts")] if self.excerpts else []
        found += [(2, "articles", "Articles")]
        found += [(2, "events", "Events added")] if self.events_added else []
        return tuple(found)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        return tuple(h[1] for h in self.headings)


def _key(excerpt: Excerpt) -> tuple[str, str, str, str]:
    return excerpt.article_id, normalize(excerpt.quote), normalize(excerpt.prefix), normalize(excerpt.suffix)


def _differences(old: Excerpt, new: Excerpt) -> tuple[str, ...]:
    details = []
    if old.stance != new.stance:
        details.append(f"stance: {old.stance or 'none'} → {new.stance or 'none'}")
    if old.note != new.note:
        details.append("note changed")
    if old.reviewed != new.reviewed:
        details.append("now reviewed" if new.reviewed else "now unreviewed")
    return tuple(details)


def _article_changed(old: Article, new: Article) -> bool:
    fields = ("title", "source", "url", "published", "date_approximate", "authors", "language")
    return any(getattr(old, f) != getattr(new, f) for f in fields) or (
        [p.text for p in old.paragraphs] != [p.text for p in new.paragraphs])


def _in_order(change: ExcerptChange) -> tuple:
    """Added, then changed, then removed; by article and place in it."""
    return ({"added": 0, "changed": 1, "removed": 2}[change.kind], change.excerpt.article_id, change.excerpt.line)


def compare_seeds(base: Seeds, head: Briefing, base_name: str) -> ChangesPage:
    """What changed from ``base`` to ``head``: articles, and excerpts per topic."""
    old_articles = {a.id: a for a in base.articles}
    new_articles = {a.id: a for a in head.articles}
    anchored = {_key(a.excerpt): a for a in head.excerpts}
    old_excerpts = {_key(e): e for a in base.articles for e in a.excerpts}
    new_excerpts = {_key(a.excerpt): a.excerpt for a in head.excerpts}
    topics = []
    for topic in head.topics:
        old = {k: e for k, e in old_excerpts.items() if topic.slug in e.topics}
        new = {k: e for k, e in new_excerpts.items() if topic.slug in e.topics}
        changes = []
        for key, excerpt in new.items():
            if key not in old:
                changes.append(ExcerptChange("added", excerpt, new_articles.get(excerpt.article_id), anchored.get(key)))
            elif details := _differences(old[key], excerpt):
                changes.append(ExcerptChange("changed", excerpt, new_articles.get(excerpt.article_id),
                                             anchored.get(key), details))
        for key, excerpt in old.items():
            if key not in new:
                changes.append(ExcerptChange("removed", excerpt, new_articles.get(excerpt.article_id), None))
        changes.sort(key=_in_order)
        topics.append(TopicChanges(topic, tuple(changes)))
    unique: dict[tuple, ExcerptChange] = {}
    for t in topics:
        for change in t.changes:
            unique.setdefault((change.kind, _key(change.excerpt)), change)
    old_events = {(e.date, e.title) for e in base.events}
    excerpts = tuple(sorted(unique.values(), key=_in_order))
    return ChangesPage(
        dest_path="changes.md", base=base_name,
        articles_added=tuple(a for i, a in sorted(new_articles.items()) if i not in old_articles),
        articles_changed=tuple(a for i, a in sorted(new_articles.items())
                               if i in old_articles and _article_changed(old_articles[i], a)),
        articles_removed=tuple(a for i, a in sorted(old_articles.items()) if i not in new_articles),
        topics=tuple(topics), excerpts=excerpts, prose=tuple(_prose_changes(base, head, old_excerpts, new_excerpts)),
        events_added=tuple(e.event for e in head.events if (e.event.date, e.event.title) not in old_events),
    )


def _prose_changes(base: Seeds, head: Briefing, old_excerpts: dict, new_excerpts: dict) -> list[ProseChange]:
    """Every piece of editor's prose whose text changed: topics' bottom lines, 'changed' lines,
    key points, watch items and side summaries; excerpts' notes."""
    found = []
    old_topics = {t.slug: t for t in base.topics}
    for topic in head.topics:
        old = old_topics.get(topic.slug)
        if old is None:
            continue
        pairs = [("bottom line", old.bottom_line, topic.bottom_line), ("newest line", old.changed, topic.changed),
                 ("key points", "\n".join(old.key_points), "\n".join(topic.key_points)),
                 ("what to watch", "\n".join(old.watch), "\n".join(topic.watch))]
        pairs += [(f"summary of the {s} position", (old.position(s).summary if old.position(s) else ""),
                   (topic.position(s).summary if topic.position(s) else "")) for s in ("us", "china")]
        found += [ProseChange(f"{topic.title}: {what}", a, b) for what, a, b in pairs
                  if " ".join(a.split()) != " ".join(b.split())]
    for key, excerpt in new_excerpts.items():
        before = old_excerpts.get(key)
        if before is not None and before.note != excerpt.note:
            found.append(ProseChange(f"note on an excerpt of {excerpt.article_id}", before.note, excerpt.note))
    return found

