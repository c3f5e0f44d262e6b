#!/usr/bin/env python3
"""How much a built site's pages share their sentences: the numbers that decide whether a
search index of terms -> pieces -> pages would count less than today's terms -> pages
(see docs/speed-history.md, session of 2026-12-05).

A piece is a run of Han characters with the Chinese punctuation between them (what
src/search/tokens.rs's for_each_piece gives, roughly: figures and Latin words end it). Its
terms are its Han runs' characters and overlapping pairs. Read from the search index's page
files (search/pages-*.js: each page's text, its first 4,000 characters).

    python3 bench/pieces.py OUTPUT_DIR [QUERY ...]

Prints the pages, the (term, page) pairs of Han terms, the (piece, page) pairs, the distinct
pieces, the (term, piece) pairs and, for each query term, the pieces it is in and their
pages. Then the numbers of the design of the second session of 2026-12-05 (pages grouped by
the pieces they share with other pages, each group's terms counted once, a page's own terms
apart; docs/speed-history.md): the groups, the (term, page) pairs left to count page by page,
the (term, group) pairs, and the runs of consecutive pages the groups' lists would be
written as.
"""
import collections
import glob
import json
import os
import re
import sys

HAN = "\u3400-\u9fff\uf900-\ufaff〇"
PIECE = re.compile(f"[{HAN}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201d]+")
HAN_RUN = re.compile(f"[{HAN}]+")


def page_texts(out):
    """Each page's text, from the index's page files."""
    texts = []
    for path in sorted(glob.glob(os.path.join(out, "search", "pages-*.js"))):
        script = open(path, encoding="utf-8").read()
        # huibaoSearch.pages(N,[ [url, title, place, text], ... ]);
        rows = json.loads(script[script.index(",[") + 1 : script.rindex(");")])
        texts.extend(row[3] for row in rows)
    return texts


def terms_of(piece):
    """A piece's Han terms: characters and overlapping pairs."""
    terms = set()
    for run in HAN_RUN.findall(piece):
        terms.update(run)
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    texts = page_texts(sys.argv[1])
    if not texts:
        sys.exit(f"no search/pages-*.js in {sys.argv[1]}: build the site with search on")
    pages_of_piece = collections.defaultdict(set)
    terms_of_piece = {}
    term_page_pairs = 0
    for page, text in enumerate(texts):
        terms = set()
        for piece in set(PIECE.findall(text)):
            if piece not in terms_of_piece:
                terms_of_piece[piece] = terms_of(piece)
            terms |= terms_of_piece[piece]
            pages_of_piece[piece].add(page)
        term_page_pairs += len(terms)
    piece_page_pairs = sum(len(pages) for pages in pages_of_piece.values())
    pieces_of_term = collections.defaultdict(list)
    for piece, terms in terms_of_piece.items():
        for term in terms:
            pieces_of_term[term].append(piece)
    n = len(texts)
    print(f"pages {n}")
    print(f"(term, page) pairs of Han terms {term_page_pairs} ({term_page_pairs / n:.0f} a page)")
    print(f"(piece, page) pairs {piece_page_pairs} ({piece_page_pairs / n:.0f} a page), "
          f"distinct pieces {len(pages_of_piece)}")
    print(f"(term, piece) pairs {sum(len(p) for p in pieces_of_term.values())}, "
          f"terms {len(pieces_of_term)}")
    # Pages grouped by the set of pieces they share with another page.
    shared = {piece for piece, pages in pages_of_piece.items() if len(pages) > 1}
    group_of_page = []
    own_pairs = 0
    for text in texts:
        pieces = set(PIECE.findall(text))
        skeleton = frozenset(pieces & shared)
        own = set().union(*(terms_of_piece[p] for p in pieces - shared)) if pieces - shared else set()
        # (An own term also in the group's is written for the page, its weight the sum's.)
        own_pairs += len(own)
        group_of_page.append(skeleton)
    groups = collections.defaultdict(list)
    for page, skeleton in enumerate(group_of_page):
        groups[skeleton].append(page)
    group_term_pairs = sum(
        len(set().union(*(terms_of_piece[p] for p in skeleton))) if skeleton else 0
        for skeleton in groups
    )
    runs = sum(
        1 + sum(1 for a, b in zip(pages, pages[1:]) if b != a + 1) for pages in groups.values()
    )
    largest = sorted((len(pages) for pages in groups.values()), reverse=True)[:5]
    print(f"groups by shared pieces {len(groups)} (largest {largest}), "
          f"their (term, group) pairs {group_term_pairs}, runs of consecutive pages {runs}")
    print(f"own (term, page) pairs {own_pairs} ({own_pairs / n:.0f} a page; "
          f"{own_pairs / max(term_page_pairs, 1):.1%} of all)")
    for query in sys.argv[2:]:
        pieces = pieces_of_term.get(query, [])
        pages = set().union(*(pages_of_piece[p] for p in pieces)) if pieces else set()
        listed = sum(len(pages_of_piece[p]) for p in pieces)
        print(f"{query}: in {len(pieces)} pieces, {listed} (piece, page) pairs, {len(pages)} pages")


if __name__ == "__main__":
    main()
