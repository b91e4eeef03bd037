"""The staff command line: thin over the corpus and the answer chain (docs/contracts.md §4)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import click
import httpx
from chromadb.errors import ChromaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot import __version__
from bot.corpus import Corpus
from bot.extract import find_files
from bot.ingest import IngestReport
from bot.ingest import Progress as ProgressCallback
from bot.notice import NoticeError
from bot.resources import bundled_knowledge
from bot.retrieval import Filters
from bot.services import Services
from bot.settings import Settings
from bot.store import IndexChanged, IndexNotReady, storage_error

err = Console(stderr=True, soft_wrap=True)  # one message, one line: the terminal wraps it
out = Console()


def _corpus(ctx: click.Context, serving: bool = False) -> Corpus:
    """The corpus for this invocation (tests may inject their own services through ctx.obj).

    A server answering many chats at once gives the local embedding model one thread per answer.
    """
    if isinstance(ctx.obj, Corpus):
        return ctx.obj
    if not isinstance(ctx.obj, Services):
        settings = Settings()
        if serving and settings.embed_threads is None:
            settings = settings.model_copy(update={"embed_threads": 1})
        ctx.obj = Services(settings)
    ctx.obj = Corpus(ctx.obj)
    return ctx.obj


@contextmanager
def _runtime_errors() -> Iterator[None]:
    """Turn expected failures into one-line messages with exit status 1."""
    try:
        yield
    except ChromaError as exc:  # the index's storage failed midway (a full disk, a server gone)
        raise click.ClickException(str(storage_error(exc, "the index"))) from exc
    except httpx.TransportError as exc:  # a Chroma server that went away (the LLM client handles its own)
        raise click.ClickException(
            f"the Chroma server cannot be reached ({exc}): is `chroma run` up at CHROMA_HOST/CHROMA_PORT?"
        ) from exc
    except (NoticeError, IndexNotReady, IndexChanged, OSError, ValueError) as exc:
        raise click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


@contextmanager
def embedding_progress(label: str = "Embedding") -> Iterator[ProgressCallback]:
    """Progress on stderr while chunks are embedded: a bar on a terminal, else a line at each quarter."""
    if not err.is_terminal:
        shown = -1

        def say(done: int, total: int) -> None:
            nonlocal shown
            quarter = done * 4 // max(total, 1)
            if quarter > shown:
                shown = quarter
                err.print(f"{label}: {done}/{total} clauses")

        yield say
        return
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _notices_in(folder: Path) -> str:
    """'the 5 bundled notices' or 'the 3 notices in FOLDER', for messages."""
    count = len(find_files([folder]))
    if folder.resolve() == bundled_knowledge().resolve():
        return f"the {count} bundled notices"
    return f"the {count} notices in {folder}"


def _index_location(settings: Settings) -> str:
    """Where the index lives, for messages."""
    if settings.server_mode:
        return f"the Chroma server {settings.chroma_host}:{settings.chroma_port}"
    return str(settings.data_dir)


def _ensure_index(corpus: Corpus) -> None:
    """Build the index on first use, saying what is happening, why, and how long it takes."""
    if corpus.is_built():
        return
    settings = corpus.settings
    err.print(
        f"No index in {_index_location(settings)} yet: building it from {_notices_in(settings.knowledge_dir)} "
        "(first run only, about a minute)…"
    )
    with embedding_progress("Embedding") as progress:
        report = corpus.ensure(progress)
    if report is not None:
        err.print(f"Index built: {report.embedded} clauses embedded in {report.seconds:.0f} s.")


def _print_report(report: IngestReport) -> None:
    """Summarise an ingest for a person."""
    n, c = report.notices, report.chunks
    err.print(
        f"notices: {n.added} added, {n.updated} updated, {n.removed} removed, {n.unchanged} unchanged\n"
        f"chunks:  {c.added} added, {c.updated} updated, {c.removed} removed, {c.unchanged} unchanged\n"
        f"embedded {report.embedded} chunks in {report.seconds:.2f} s"
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policybot")
@click.option("-v", "--verbose", is_flag=True, help="Log each answer (question hash, timings, why declined) on stderr.")
def main(verbose: bool) -> None:
    """Answer graduates' employment-policy questions from the official notices, citing the clause."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start the index over instead of updating it.")
@click.option("--dry-run", is_flag=True, help="Print the layout and clauses each notice would make; index nothing.")
@click.option(
    "--no-bundled",
    is_flag=True,
    help="Into an empty index (or with --rebuild), put only the given files, not the bundled notices too.",
)
@click.option("--replace", is_flag=True, help="Let a file replace an indexed notice of the same doc id from elsewhere.")
@click.option("--doc", help="Doc id for a PDF/DOCX without a sidecar file.")
@click.option("--title", help="Title for a PDF/DOCX without a sidecar file.")
@click.option("--doc-number", help="Doc number (文号) for a PDF/DOCX.")
@click.option("--issuer", help="Issuer for a PDF/DOCX.")
@click.option("--issued", help="Issue date YYYY-MM-DD for a PDF/DOCX.")
@click.option("--scope", help="'national' or the province, for a PDF/DOCX.")
@click.option("--cohort", help="Graduating class, e.g. 2024届, for a PDF/DOCX.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    rebuild: bool,
    dry_run: bool,
    no_bundled: bool,
    replace: bool,
    **fields: str | None,
) -> None:
    """Build or update the index from the knowledge folder or the given files and folders.

    Files ingested into an empty index (or with --rebuild) come with the bundled notices, unless --no-bundled.
    """
    corpus = _corpus(ctx)
    overrides: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if overrides:
        overrides.setdefault("doc_number", None)
    if dry_run:
        from bot.extract import load_documents
        from bot.layout import preview

        with _runtime_errors():
            settings = corpus.settings
            notices = load_documents(list(paths) or [settings.knowledge_dir], overrides, settings.max_notice_chars)
        click.echo("\n\n".join(preview(notice) for notice in notices))
        return
    with _runtime_errors():
        targets = list(paths)
        knowledge = corpus.settings.knowledge_dir
        if targets and not no_bundled and not _overlaps(targets, knowledge) and (rebuild or not corpus.is_built()):
            err.print(f"The index is empty: adding {_notices_in(knowledge)} too (--no-bundled leaves them out).")
            targets.insert(0, knowledge)
        with embedding_progress() as progress:
            report = corpus.ingest(targets or None, rebuild, overrides, progress, replace=replace)
    _print_report(report)


def _overlaps(paths: list[Path], folder: Path) -> bool:
    """Whether any of the paths is the folder, lies inside it or holds it."""
    target = folder.resolve()
    for path in (p.resolve() for p in paths):
        if path == target or target in path.parents or path in target.parents:
            return True
    return False


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the notices as a JSON list.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the indexed notices."""
    corpus = _corpus(ctx)
    with _runtime_errors():
        _ensure_index(corpus)
        entries = corpus.sources()
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    table = Table(title="Indexed notices")
    for column in ("doc", "title", "doc number", "issued", "scope", "cohort", "clauses", "layout"):
        table.add_column(column, no_wrap=column in ("doc", "doc number"))
    for e in entries:
        table.add_row(
            e["doc"],
            e["title"],
            e["doc_number"] or "—",
            e["issued"][:10],
            e["scope"],
            e["cohort"],
            str(len(e["clauses"])),
            e.get("layout", ""),
        )
    out.print(table)


def _check_filters(corpus: Corpus, filters: Filters) -> None:
    """A filter no indexed notice passes is a usage error (exit 2) that names what the index holds."""
    if not (filters.docs or filters.scope or filters.cohort):
        return
    notices = list(corpus.profile.notices.values())

    def passes(f: Filters) -> bool:
        return any(f.accepts(n) for n in notices)

    def listing(values: list[str]) -> str:
        return ", ".join(sorted(set(values)))

    unknown = [d for d in filters.docs if not passes(Filters(docs=[d]))]
    if unknown:
        raise click.BadParameter(
            f"no notice {listing(unknown)} in the index; doc ids: {listing([n.doc for n in notices])}",
            param_hint="--doc",
        )
    if filters.scope and not passes(Filters(scope=filters.scope)):
        raise click.BadParameter(
            f"no notice for region {filters.scope!r}; regions: {listing([n.scope for n in notices])}",
            param_hint="--region",
        )
    if filters.cohort and not passes(Filters(cohort=filters.cohort)):
        cohorts = listing([n.cohort for n in notices])
        raise click.BadParameter(f"no notice for cohort {filters.cohort!r}; cohorts: {cohorts}", param_hint="--cohort")
    if not passes(filters):
        have = "; ".join(f"{n.doc} ({n.scope}, {n.cohort})" for n in notices)
        raise click.UsageError(f"no notice matches --region, --cohort and --doc together; notices: {have}")


def _chain(ctx: click.Context, mode: str | None, k: int, serving: bool = False) -> Any:
    """The answer chain over this invocation's corpus, building the index on first use."""
    from bot.chain import AnswerChain

    corpus = _corpus(ctx, serving)
    _ensure_index(corpus)
    return AnswerChain(corpus, mode=mode, k=k)


def _dated(chain: Any, today: date) -> Any:
    """The same chain judging 今年 against another day, over the same index (the caller's services stay as they are)."""
    from bot.chain import AnswerChain

    services = chain.corpus.services
    dated = Services(services.settings.model_copy(update={"today": today}), services.embeddings, services.index)
    return AnswerChain(Corpus(dated), mode=chain.mode, k=chain.k)


def render_answer(answer: Any) -> None:
    """Print an answer for a person: the caveats, the text, then numbered citations."""
    from rich.panel import Panel

    render_caveats(answer)
    style = "green" if answer.grounded else "yellow"
    out.print(Panel(answer.answer, title="回答" if answer.grounded else "未覆盖", border_style=style))
    render_citations(answer)


def render_caveats(answer: Any) -> None:
    """Print what the student must know before the quotes (another year or region, a missing detail)."""
    for caveat in answer.caveats:
        out.print(f"⚠ {caveat.text}", style="bold yellow", markup=False, highlight=False)


def answer_for_person(chain: Any, question: str, history: list[str], filters: Any = None) -> Any:
    """Answer and print it; in llm mode the text streams to the terminal as the model writes it."""
    if chain.mode != "llm":
        answer = chain.answer(question, history=history, filters=filters)
        render_answer(answer)
        return answer
    shown = ""
    for piece in chain.stream(question, history, filters):
        if not isinstance(piece, str):  # the stream always ends with the checked Answer
            final = piece
            break
        out.print(piece, end="", markup=False, highlight=False)
        shown += piece
    else:
        raise RuntimeError("the answer stream ended without an Answer")
    out.print()
    if final.answer.strip() != shown.strip():  # declined, repaired or fell back: show what stands
        render_answer(final)
    else:
        render_caveats(final)
        render_citations(final)
    return final


def render_citations(answer: Any) -> None:
    """Print an answer's numbered citations with their quotes."""
    for n, c in enumerate(answer.citations, start=1):
        title = f"  [dim]{c.title}[/dim]" if c.doc_number else ""  # without a 文号 the title leads, once
        out.print(f"[bold][{n}][/bold] {c.doc_number or c.title} {c.clause}{title}")
        out.print(f"    “{c.quote}”")
    if answer.fallback:
        err.print(f"[dim](extractive fallback: {answer.fallback})[/dim]")


@dataclass
class BatchItem:
    """One line of a batch: the question to answer, or why the line cannot be answered."""

    line: int
    id: Any = None
    question: str = ""
    history: list[str] = field(default_factory=list)
    error: str | None = None

    def error_object(self) -> dict[str, Any]:
        """What the output holds in place of an answer for a bad line."""
        return {"id": self.id, "line": self.line, "error": self.error}


def _no_json_constant(name: str) -> None:
    """JSON has no NaN or Infinity (Python's json module would accept them)."""
    raise ValueError(f"{name} is not valid JSON")


def _is_text(value: Any) -> bool:
    """A string that can be written out as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_id(value: Any) -> bool:
    """An id the answer object can carry back: a string, an integer or null."""
    return value is None or _is_text(value) or (isinstance(value, int) and not isinstance(value, bool))


def parse_batch_line(raw: bytes, line: int) -> BatchItem | None:
    """Read one batch line: None for a blank line, else the item or the reason it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BatchItem(line, error=f"not UTF-8 text ({exc.reason} at byte {exc.start + 1} of the line)")
    text = text.lstrip("\ufeff").strip()  # a byte-order mark (Windows editors) is not part of the item
    if not text:
        return None
    try:
        item = json.loads(text, parse_constant=_no_json_constant)
    except ValueError as exc:
        return BatchItem(line, error=f"not a JSON object ({exc})")
    if not isinstance(item, dict):
        return BatchItem(line, error=f"not a JSON object (a {type(item).__name__})")
    item_id = item.get("id")
    if not _valid_id(item_id):
        return BatchItem(line, error="'id' must be a string, an integer or null")
    question, history = item.get("question"), item.get("history")
    if history is None:
        history = []
    if not isinstance(question, str) or not question.strip():
        return BatchItem(line, item_id, error="'question' must be a non-empty string")
    if not _is_text(question):
        return BatchItem(line, item_id, error="'question' is not valid Unicode (a lone surrogate)")
    if not isinstance(history, list) or not all(_is_text(h) for h in history):
        return BatchItem(line, item_id, error="'history' must be a list of earlier questions (strings), oldest first")
    return BatchItem(line, item_id, question, list(history))


def _read_batch(source: str) -> Iterator[BatchItem]:
    """The lines of a batch file (or standard input for '-'), each read on its own."""
    stream: BinaryIO = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    with stream:
        for number, raw in enumerate(stream, start=1):
            item = parse_batch_line(raw, number)
            if item is not None:
                yield item


def _answer_batch(chain: Any, source: str, filters: Filters) -> tuple[int, list[int]]:
    """Write one output line per batch line, in order; return how many lines and which failed."""
    count, failed = 0, []
    for item in _read_batch(source):
        count += 1
        if item.error is not None:
            failed.append(item.line)
            result = item.error_object()
        else:
            answer = chain.answer(item.question, history=item.history, filters=filters)
            answer.id = item.id
            result = answer.to_json_dict()
        click.echo(json.dumps(result, ensure_ascii=False))
        sys.stdout.flush()
    return count, failed


MODES = click.Choice(["auto", "extractive", "llm"])
K = click.IntRange(min=1)


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--batch", "batch", metavar="FILE", help="Answer JSON lines from FILE ('-' for stdin).")
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.option("--k", type=K, default=5, show_default=True, help="How many clauses to retrieve.")
@click.option("--region", help="Only notices for this region, e.g. 贵州省 or national.")
@click.option("--cohort", help="Only notices for this graduating class, e.g. 2024届.")
@click.option("--doc", "docs", multiple=True, help="Only this notice (repeatable).")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str | None,
    as_json: bool,
    batch: str | None,
    mode: str | None,
    k: int,
    region: str | None,
    cohort: str | None,
    docs: tuple[str, ...],
) -> None:
    """Answer a question (or a batch of them) from the notices, citing clauses."""
    if question is None and batch is None:
        raise click.UsageError("give a QUESTION to ask, or --batch FILE to answer JSON lines ('-' reads stdin)")
    if question is not None and batch is not None:
        raise click.UsageError("give a QUESTION or --batch FILE, not both")
    filters = Filters(scope=region, cohort=cohort, docs=list(docs))
    with _runtime_errors():
        chain = _chain(ctx, mode, k)
        _check_filters(chain.corpus, filters)
        if batch is None:
            if as_json:
                answer = chain.answer(str(question), filters=filters)
                click.echo(json.dumps(answer.to_json_dict(), ensure_ascii=False))
            else:
                answer_for_person(chain, str(question), [], filters)
            return
        count, failed = _answer_batch(chain, batch, filters)
    if failed:
        lines = ", ".join(map(str, failed[:10])) + (", …" if len(failed) > 10 else "")
        raise click.ClickException(
            f"{len(failed)} of {count} batch lines could not be answered (line {lines}): see their error objects"
        )


CHAT_HELP = "输入问题提问；/reset 清空对话，/sources 列出通知，/debug 切换检索详情，/help 帮助，/quit 退出。"


@main.command()
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.option("--k", type=K, default=5, show_default=True, help="How many clauses to retrieve.")
@click.pass_context
def chat(ctx: click.Context, mode: str | None, k: int) -> None:
    """Ask questions interactively; follow-ups use the chat's history."""
    with _runtime_errors():
        chain = _chain(ctx, mode, k)
    history: list[str] = []
    debug = False
    out.print(f"[bold]policybot[/bold] ({chain.mode})  {CHAT_HELP}")
    while True:
        try:
            line = click.prompt("问", prompt_suffix="> ", default="", show_default=False).strip()
        except (EOFError, click.Abort):
            return
        if not line:
            continue
        if line in ("/quit", "/exit"):
            return
        if line == "/reset":
            history.clear()
            out.print("[dim]对话已清空。[/dim]")
            continue
        if line == "/sources":
            for e in chain.corpus.sources():
                out.print(f"{e['doc']}  {e['doc_number'] or '—'}  {e['cohort']}  {e['scope']}  {e['title']}")
            continue
        if line == "/debug":
            debug = not debug
            out.print(f"[dim]debug {'on' if debug else 'off'}[/dim]")
            continue
        if line.startswith("/"):  # /help, or a command this chat does not have: never asked as a question
            unknown = "" if line.split()[0] in ("/help", "/?") else f"没有 {line.split()[0]} 这个命令。"
            out.print(f"{unknown}{CHAT_HELP}", markup=False, highlight=False)
            continue
        answer = answer_for_person(chain, line, history)
        if debug:
            for hit in answer.retrieved:
                out.print(
                    f"[dim]{hit.score:.4f} dense#{hit.dense_rank} lex#{hit.lexical_rank} {hit.doc} {hit.clause}[/dim]"
                )
            out.print(f"[dim]timings {answer.timings_ms}[/dim]")
        history.append(line)


@main.command()
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.pass_context
def telegram(ctx: click.Context, mode: str | None) -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN; TELEGRAM_BASE_URL for another Bot API server)."""
    from telegram.error import TelegramError

    from bot.tg.app import run

    with _runtime_errors():
        chain = _chain(ctx, mode, 5, serving=True)
    token = chain.settings.telegram_bot_token
    if token is None:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    try:
        run(chain)
    except TelegramError as exc:  # e.g. a rejected token: say so without printing the token
        message = str(exc).replace(token.get_secret_value(), "<token>")
        raise click.ClickException(f"Telegram: {message}") from None


@main.group()
def feedback() -> None:
    """Answers given in Telegram and the 👍/👎 they got."""


@feedback.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write.")
@click.option("--as-eval", is_flag=True, help="Write 👎 answers as candidate evaluation items (JSON lines).")
@click.pass_context
def export(ctx: click.Context, out: Path, as_eval: bool) -> None:
    """Export the feedback as CSV for staff, or 👎 items as candidate evaluation items."""
    from bot.feedback import FeedbackStore

    settings = _corpus(ctx).settings
    if not settings.feedback_db.exists():
        raise click.ClickException(f"no feedback yet ({settings.feedback_db} does not exist)")
    with _runtime_errors():
        store = FeedbackStore.from_settings(settings)
        count = store.export_eval(out) if as_eval else store.export_csv(out)
        store.close()
    err.print(f"wrote {count} {'candidate evaluation items' if as_eval else 'answers'} to {out}")


@main.group(name="eval", invoke_without_command=True)
@click.option(
    "--dataset",
    type=click.Path(path_type=Path),
    default=None,
    help="A dataset (docs/contracts.md §5); default: eval/datasets/policy_qa.jsonl of the installed eval package.",
)
@click.option(
    "--notices",
    "notices",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra notices (files or folders) indexed beside the bundled ones for this evaluation (repeatable).",
)
@click.option("--mode", type=MODES, default="extractive", show_default=True, help="Answer mode.")
@click.option("--k", type=K, default=5, show_default=True, help="How many clauses to retrieve.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("eval/runs/latest"), show_default=True, help="Run folder."
)
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="Also score the textbook pipeline.")
@click.option(
    "--gate",
    type=click.Path(path_type=Path),
    default=None,
    help='Thresholds to meet, or a suite of datasets with theirs ({"runs": [...]}); exit 1 below any.',
)
@click.option("--judge", is_flag=True, help="Also ask the configured language model to judge each answer.")
@click.pass_context
def eval_(
    ctx: click.Context,
    dataset: Path | None,
    notices: tuple[Path, ...],
    mode: str,
    k: int,
    out: Path,
    baseline: bool,
    gate: Path | None,
    judge: bool,
) -> None:
    """Score the answer chain on labelled datasets; write results.jsonl, summary.json, report.md, chart.png."""
    if ctx.invoked_subcommand is not None:
        return
    from eval.dataset import DEFAULT_DATASET
    from eval.suite import SuiteRun, gate_date, load_gate

    path = dataset or DEFAULT_DATASET
    with _runtime_errors():
        one = SuiteRun(name=path.stem, dataset=path, notices=list(notices))
        runs = load_gate(gate, path, list(notices)) if gate else [one]
        chain = _chain(ctx, mode, k)
        labelled_on = gate_date(gate) if gate else None
        if labelled_on and chain.settings.today is None:  # POLICYBOT_TODAY, when set, still wins
            chain = _dated(chain, labelled_on)
        judge_model = None
        if judge:
            settings = chain.settings
            if not (settings.openai_api_key or settings.openai_base_url):
                raise click.UsageError("--judge needs a language model: set OPENAI_API_KEY or OPENAI_BASE_URL")
            from bot.llm import make_chat_model

            judge_model = make_chat_model(settings)
        textbook = None
        if baseline and any(not run.notices for run in runs):  # the textbook baseline reads the bundled notices only
            from eval.baseline import TextbookBaseline

            err.print("[dim]building the textbook baseline (RecursiveCharacterTextSplitter 500/50, top-4)…[/dim]")
            textbook = TextbookBaseline(chain.settings.knowledge_dir, chain.corpus.embeddings)
        problems = []
        for run in runs:
            where = out if len(runs) == 1 else out / run.name
            problems += [f"{run.name}: {p}" for p in _evaluate_run(chain, run, where, textbook, judge_model)]
    if problems:
        raise click.ClickException("evaluation gate failed: " + "; ".join(problems))


def _evaluate_run(chain: Any, run: Any, out: Path, textbook: Any, judge_model: Any) -> list[str]:
    """Evaluate one dataset (with its extra notices indexed), write the run, print its table; return gate failures."""
    from eval.dataset import load_dataset
    from eval.report import cell, write_run
    from eval.runner import evaluate, summarize
    from eval.runner import gate as check_gate
    from eval.suite import chain_with

    items = load_dataset(run.dataset)
    if run.notices:
        err.print(f"[dim]{run.name}: indexing extra notices ({len(run.notices)} paths) beside the bundled ones…[/dim]")
    chain = chain_with(chain, run.notices)
    textbook = None if run.notices else textbook
    columns = (TextColumn("Evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("eval", total=len(items))
        results = evaluate(chain, items, textbook, advance=lambda: bar.advance(task), judge_model=judge_model)
    summary = {"dataset": str(run.dataset), "notices": [str(p) for p in run.notices], "mode": chain.mode}
    summary |= summarize(results)
    write_run(out, results, summary)
    table = Table("metric", "value", title=f"{run.name} · {chain.mode} · {len(items)} items")
    for metric, value in summary["overall"].items():
        table.add_row(metric, cell(value))
    table.add_row("latency p50 / p95 ms", f"{summary['latency_ms']['p50']} / {summary['latency_ms']['p95']}")
    if "llm_judge" in summary:
        table.add_row("llm judge (extra, not gated)", cell(summary["llm_judge"]))
    for name, value in summary["facts_in_top4"].items():
        table.add_row(f"facts in top-4 ({name})", cell(value))
    out_console = Console()
    out_console.print(table)
    out_console.print(f"report: {out / 'report.md'}")
    return check_gate(summary, run.thresholds)


@eval_.command()
@click.argument("run_a", type=click.Path(exists=True, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, path_type=Path))
def compare(run_a: Path, run_b: Path) -> None:
    """List what changed between two evaluation runs, item by item."""
    from eval.report import compare_runs

    with _runtime_errors():
        lines = compare_runs(run_a, run_b)
    click.echo("\n".join(lines) if lines else "no differences")


@eval_.command()
@click.option(
    "--gate",
    type=click.Path(exists=True, path_type=Path),
    default=Path("eval/thresholds.json"),
    show_default=True,
    help="The suite whose datasets (with their extra notices) to calibrate on.",
)
@click.option(
    "--runs",
    default="policy_qa,student_dev,multilayout_dev",
    show_default=True,
    help="The suite's runs to use, comma-separated (the development sets: hold-outs stay unseen).",
)
@click.pass_context
def calibrate(ctx: click.Context, gate: Path, runs: str) -> None:
    """Show what each candidate relevance floor would decline on the development sets (precision and recall)."""
    from eval.calibrate import markdown, read, trade_off
    from eval.dataset import load_dataset
    from eval.suite import chain_with, load_gate

    wanted = [name.strip() for name in runs.split(",") if name.strip()]
    with _runtime_errors():
        suite = {run.name: run for run in load_gate(gate, gate, [])}
        unknown = sorted(set(wanted) - set(suite))
        if unknown:
            raise click.BadParameter(f"not in {gate}: {', '.join(unknown)}", param_hint="--runs")
        chain = _chain(ctx, "extractive", 5)
        readings = []
        for name in wanted:
            here = chain_with(chain, suite[name].notices)
            readings += [read(here, item) for item in load_dataset(suite[name].dataset)]
    click.echo(markdown(trade_off(readings)))


def _sizes(value: str | None, option: str) -> list[int] | None:
    """A comma-separated list of positive whole numbers (a usage error otherwise)."""
    if value is None:
        return None
    try:
        sizes = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise click.BadParameter(f"expected whole numbers above 0, comma-separated, not {value!r}", param_hint=option)
    return sizes


@main.command()
@click.option("--scale", is_flag=True, help="Time ingest, latency, memory and quality as distractor notices grow.")
@click.option("--factors", default=None, help="Corpus sizes as multiples of the bundled five [default: 1,10,100,400].")
@click.option("--notices", "notice_counts", default=None, help="Corpus sizes as notice counts instead, e.g. 10000.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("bench/results"), show_default=True, help="Results folder."
)
@click.option("--smoke", is_flag=True, help="A tiny scale run (six notices, a few questions) that checks the harness.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the distractor notices.")
@click.option("--cold-runs", type=K, default=None, help="Cold `ask` processes per size [default: 3; smoke: 1].")
@click.option("--questions", type=K, default=None, help="Only the first N questions of the dataset.")
@click.option("--dataset", type=click.Path(exists=True, path_type=Path), default=None, help="Evaluation dataset.")
@click.option("--chroma-server", is_flag=True, help="Index into a real `chroma run` server per size.")
@click.option("--local-embeddings/--no-local-embeddings", default=True, help="Also time the local embedding model.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=None, help="Keep corpora and indexes here.")
@click.option("--rounds", type=K, default=3, show_default=True, help="Without --scale: rounds over the dataset.")
@click.option("--cold", type=click.IntRange(min=0), default=5, show_default=True, help="Without --scale: cold asks.")
def bench(
    scale: bool,
    factors: str | None,
    notice_counts: str | None,
    out: Path,
    smoke: bool,
    seed: int,
    cold_runs: int | None,
    questions: int | None,
    dataset: Path | None,
    chroma_server: bool,
    local_embeddings: bool,
    work_dir: Path | None,
    rounds: int,
    cold: int,
) -> None:
    """Benchmark policybot: --scale over growing corpora (results in --out), else answer latency as JSON."""
    if not scale:
        if smoke or factors or notice_counts:
            raise click.UsageError("--smoke, --factors and --notices need --scale")
        from eval.bench import cold as cold_asks
        from eval.bench import warm

        with _runtime_errors():
            report = {"warm": warm("extractive", rounds), "cold_ask": cold_asks(cold) if cold else None}
        click.echo(json.dumps(report, indent=2))
        return
    from eval.scale.bench import factors_config, notices_config, run, smoke_config
    from eval.scale.measure import CommandFailed

    sizes, counts = _sizes(factors, "--factors"), _sizes(notice_counts, "--notices")
    if sizes and counts:
        raise click.UsageError("give --factors or --notices, not both")
    options: dict[str, Any] = {"out": out, "seed": seed, "chroma_server": chroma_server, "work": work_dir}
    options |= {"local_embeddings": local_embeddings}
    options |= {k: v for k, v in {"cold_runs": cold_runs, "questions": questions, "dataset": dataset}.items() if v}
    if smoke:
        config = smoke_config(**options)
    else:
        config = notices_config(counts, **options) if counts else factors_config(sizes, **options)
    try:
        path = run(config, say=lambda line: err.print(line, style="dim", markup=False, highlight=False))
    except (CommandFailed, OSError, RuntimeError) as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from exc
    err.print(f"results: {path}, {path.with_suffix('.md')}, {path.with_suffix('.png')}")
    click.echo(path.with_suffix(".md").read_text(encoding="utf-8"))


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: POLICYBOT_WEB_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: POLICYBOT_WEB_PORT, 8080).")
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, mode: str | None) -> None:
    """Serve the chat page, the JSON API and an OpenAI-compatible API over the answer chain."""
    from bot.web.app import serve as run_server

    with _runtime_errors():
        chain = _chain(ctx, mode, 5, serving=True)
        settings = chain.settings
        run_server(chain, host or settings.web_host, settings.web_port if port is None else port)


if __name__ == "__main__":
    sys.exit(main())
