"""The staff command line: thin over the corpus and the answer chain (CONTRACT.md §4)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot import __version__
from bot.corpus import Corpus
from bot.ingest import IngestReport
from bot.notice import NoticeError
from bot.services import Services
from bot.settings import REPO_ROOT, Settings
from bot.store import IndexNotReady

err = Console(stderr=True)
out = Console()


def _corpus(ctx: click.Context) -> Corpus:
    """The corpus for this invocation (tests may inject their own services through ctx.obj)."""
    if isinstance(ctx.obj, Corpus):
        return ctx.obj
    ctx.obj = Corpus(ctx.obj if isinstance(ctx.obj, Services) else Services(Settings()))
    return ctx.obj


@contextmanager
def _runtime_errors() -> Iterator[None]:
    """Turn expected failures into one-line messages with exit status 1."""
    try:
        yield
    except (NoticeError, IndexNotReady, OSError, ValueError) as exc:
        raise click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


@contextmanager
def embedding_progress(label: str = "Embedding") -> Iterator[Any]:
    """A progress bar on stderr while chunks are embedded."""
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


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
def main() -> None:
    """Answer graduates' employment-policy questions from the official notices, citing the clause."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start the index over instead of updating it.")
@click.option("--dry-run", is_flag=True, help="Print the layout and clauses each notice would make; index nothing.")
@click.option("--doc", help="Doc id for a PDF/DOCX without a sidecar file.")
@click.option("--title", help="Title for a PDF/DOCX without a sidecar file.")
@click.option("--doc-number", help="Doc number (文号) for a PDF/DOCX.")
@click.option("--issuer", help="Issuer for a PDF/DOCX.")
@click.option("--issued", help="Issue date YYYY-MM-DD for a PDF/DOCX.")
@click.option("--scope", help="'national' or the province, for a PDF/DOCX.")
@click.option("--cohort", help="Graduating class, e.g. 2024届, for a PDF/DOCX.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, dry_run: bool, **fields: str | None) -> None:
    """Build or update the index from the knowledge folder or the given files and folders."""
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
    with _runtime_errors(), embedding_progress() as progress:
        report = corpus.ingest(list(paths) or None, rebuild=rebuild, overrides=overrides, progress=progress)
    _print_report(report)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the notices as a JSON list.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the indexed notices."""
    corpus = _corpus(ctx)
    with _runtime_errors():
        with embedding_progress("Building the index") as progress:
            corpus.ensure(progress)
        entries = corpus.sources()
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    table = Table(title="Indexed notices")
    for column in ("doc", "doc number", "issued", "scope", "cohort", "clauses", "layout"):
        table.add_column(column, no_wrap=column in ("doc", "doc number"))
    for e in entries:
        table.add_row(
            e["doc"],
            e["doc_number"] or "—",
            e["issued"][:10],
            e["scope"],
            e["cohort"],
            str(len(e["clauses"])),
            e.get("layout", ""),
        )
    out.print(table)


def _filters(region: str | None, cohort: str | None, docs: tuple[str, ...]) -> Any:
    """Retrieval filters from the command-line options."""
    from bot.retrieval import Filters

    return Filters(scope=region, cohort=cohort, docs=list(docs))


def _chain(ctx: click.Context, mode: str | None, k: int) -> Any:
    """The answer chain over this invocation's corpus, building the index on first use."""
    from bot.chain import AnswerChain

    corpus = _corpus(ctx)
    with embedding_progress("Building the index (first run)") as progress:
        corpus.ensure(progress)
    return AnswerChain(corpus, mode=mode, k=k)


def render_answer(answer: Any) -> None:
    """Print an answer for a person: the text, then numbered citations."""
    from rich.panel import Panel

    style = "green" if answer.grounded else "yellow"
    out.print(Panel(answer.answer, title="回答" if answer.grounded else "未覆盖", border_style=style))
    render_citations(answer)


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
        render_citations(final)
    return final


def render_citations(answer: Any) -> None:
    """Print an answer's numbered citations with their quotes."""
    for n, c in enumerate(answer.citations, start=1):
        number = c.doc_number or c.title
        out.print(f"[bold][{n}][/bold] {number} {c.clause}  [dim]{c.title}[/dim]")
        out.print(f"    “{c.quote}”")
    if answer.fallback:
        err.print(f"[dim](extractive fallback: {answer.fallback})[/dim]")


def _read_batch(source: str) -> Iterator[dict[str, Any]]:
    """JSON lines of {id, question, history} from a file or standard input."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    with stream:
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise ValueError("needs a string 'question'")
            except ValueError as exc:
                raise click.ClickException(f"{source}:{lineno}: not a batch item ({exc})") from exc
            yield item


MODES = click.Choice(["auto", "extractive", "llm"])


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--batch", "batch", metavar="FILE", help="Answer JSON lines from FILE ('-' for stdin).")
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.option("--k", default=5, show_default=True, help="How many clauses to retrieve.")
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
    if (question is None) == (batch is None):
        raise click.UsageError("give a QUESTION or --batch FILE, not both")
    filters = _filters(region, cohort, docs)
    with _runtime_errors():
        chain = _chain(ctx, mode, k)
        if batch is None:
            if as_json:
                answer = chain.answer(str(question), filters=filters)
                click.echo(json.dumps(answer.to_json_dict(), ensure_ascii=False))
            else:
                answer_for_person(chain, str(question), [], filters)
            return
        for item in _read_batch(batch):
            answer = chain.answer(item["question"], history=list(item.get("history") or []), filters=filters)
            answer.id = item.get("id")
            click.echo(json.dumps(answer.to_json_dict(), ensure_ascii=False), nl=True)
            sys.stdout.flush()


CHAT_HELP = "输入问题提问；/reset 清空对话，/sources 列出通知，/debug 切换检索详情，/quit 退出。"


@main.command()
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.option("--k", default=5, show_default=True, help="How many clauses to retrieve.")
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
        chain = _chain(ctx, mode, 5)
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


DEFAULT_DATASET = Path("eval/datasets/policy_qa.jsonl")


@main.group(name="eval", invoke_without_command=True)
@click.option("--dataset", type=click.Path(path_type=Path), default=None, help="A CONTRACT.md §5 dataset.")
@click.option(
    "--notices",
    "notices",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra notices (files or folders) indexed beside the bundled ones for this evaluation (repeatable).",
)
@click.option("--mode", type=MODES, default="extractive", show_default=True, help="Answer mode.")
@click.option("--k", default=5, show_default=True, help="How many clauses to retrieve.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("eval/runs/latest"), show_default=True, help="Run folder."
)
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="Also score the textbook pipeline.")
@click.option(
    "--gate",
    type=click.Path(path_type=Path),
    default=None,
    help="Thresholds to meet, or a suite of datasets with theirs ({\"runs\": [...]}); exit 1 below any.",
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
    from eval.suite import SuiteRun, load_gate

    path = dataset or REPO_ROOT / DEFAULT_DATASET
    with _runtime_errors():
        one = SuiteRun(name=path.stem, dataset=path, notices=list(notices))
        runs = load_gate(gate, path, list(notices)) if gate else [one]
        chain = _chain(ctx, mode, k)
        judge_model = None
        if judge:
            settings = chain.settings
            if not (settings.openai_api_key or settings.openai_base_url):
                raise click.UsageError("--judge needs a language model: set OPENAI_API_KEY or OPENAI_BASE_URL")
            from bot.llm import make_chat_model

            judge_model = make_chat_model(settings)
        problems = []
        for run in runs:
            where = out if len(runs) == 1 else out / run.name
            problems += [f"{run.name}: {p}" for p in _evaluate_run(chain, run, where, baseline, judge_model)]
    if problems:
        raise click.ClickException("evaluation gate failed: " + "; ".join(problems))


def _evaluate_run(chain: Any, run: Any, out: Path, baseline: bool, judge_model: Any) -> list[str]:
    """Evaluate one dataset (with its extra notices indexed), write the run, print its table; return gate failures."""
    from bot.chain import AnswerChain
    from eval.baseline import TextbookBaseline
    from eval.dataset import load_dataset
    from eval.report import cell, write_run
    from eval.runner import evaluate, summarize
    from eval.runner import gate as check_gate
    from eval.suite import corpus_with

    items = load_dataset(run.dataset)
    if run.notices:
        err.print(f"[dim]{run.name}: indexing extra notices ({len(run.notices)} paths) beside the bundled ones…[/dim]")
        model = chain.llm() if chain.mode == "llm" else None
        chain = AnswerChain(corpus_with(chain.corpus, run.notices), mode=chain.mode, k=chain.k, llm=model)
    textbook = None
    if baseline and not run.notices:  # the textbook baseline reads the bundled notices only
        err.print("[dim]building the textbook baseline (RecursiveCharacterTextSplitter 500/50, top-4)…[/dim]")
        textbook = TextbookBaseline(chain.settings.knowledge_dir, chain.corpus.embeddings)
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


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: POLICYBOT_WEB_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: POLICYBOT_WEB_PORT, 8080).")
@click.option("--mode", type=MODES, default=None, help="Answer mode (default: auto).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, mode: str | None) -> None:
    """Serve the chat page, the JSON API and an OpenAI-compatible API over the answer chain."""
    from bot.web.app import serve as run_server

    with _runtime_errors():
        chain = _chain(ctx, mode, 5)
        settings = chain.settings
        run_server(chain, host or settings.web_host, settings.web_port if port is None else port)


if __name__ == "__main__":
    sys.exit(main())
