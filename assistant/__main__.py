"""python -m assistant ask "问题" | chat | search "查询"

``ask`` prints one answer with its sources; ``chat`` is a REPL that keeps the session,
so follow-up questions work; ``search`` prints the passages the retriever finds.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.settings import ConfigError, load_settings


def _print_answer(answer, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        print(json.dumps({"answer": answer.text, "grounded": answer.grounded, "kind": answer.kind,
                          "citations": [c.to_dict() for c in answer.citations]}, ensure_ascii=False, indent=1))
        return
    print(answer.text)
    if answer.citations:
        print("\n出处：")
        for c in answer.citations:
            print(f"  [{c.n}] 《{c.document}》 {c.section}")
    if not answer.grounded:
        print("\n（文件中没有直接依据）")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, help="index to use (default: $POLICY_INDEX_DIR or data/index)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = ap.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    sub.add_parser("chat", help="interactive chat; an empty line or Ctrl-D quits")
    search = sub.add_parser("search", help="show the passages found for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    args = ap.parse_args(argv)

    try:
        settings = load_settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    from assistant.engine import Engine
    from index.pipeline import ensure_index

    ensure_index(settings)
    engine = Engine.open(settings=settings)
    try:
        if args.command == "ask":
            answer, _ = engine.chat(args.question)
            _print_answer(answer, args.json)
        elif args.command == "search":
            for rank, hit in enumerate(engine.search(args.query, k=args.k), start=1):
                print(f"{rank}. [{hit.score:.3f}] 《{hit.chunk.doc_title}》 {hit.chunk.section}\n   {hit.chunk.text[:160]}")
        else:
            session = None
            while True:
                try:
                    question = input("问> ").strip()
                except EOFError:
                    break
                if not question:
                    break
                answer, session = engine.chat(question, session)
                _print_answer(answer, args.json)
                print()
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
