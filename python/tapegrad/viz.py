"""tapegrad.viz: draw the autograd graph behind a tensor as Graphviz DOT, in the style of the
torchviz pictures torch users know: the output in green, one box per grad_fn named like torch's
(MulBackward0, ...), parameters in blue with their names and shapes, saved tensors in orange.

The walk reads only what torch exposes too (grad_fn.next_functions, AccumulateGrad.variable,
_saved_* attributes, tensor._base), so it draws torch graphs as well; that is how the tests
check it. Rendering needs Graphviz: the `graphviz` Python package, or the `dot` program."""
import shutil
import subprocess

__all__ = ["make_dot", "Dot"]

_SAVED = "_saved_"
_NODE_ATTR = dict(style="filled", shape="box", align="left", fontsize="10", ranksep="0.1",
                  height="0.2", fontname="monospace")


def _quote(s):
    s = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _attrs(d):
    return ", ".join(f"{k}={_quote(v)}" for k, v in d.items())


class Dot:
    """A DOT graph: `.source` is its text; `.pipe(format)` returns rendered bytes and
    `.render(filename)` writes a picture (both through Graphviz)."""

    def __init__(self, name=None):
        self.name = name
        self.graph_attr = {"size": "12,12"}
        self.node_attr = dict(_NODE_ATTR)
        self.nodes = []   # (id, label, attrs)
        self.edges = []   # (tail, head, attrs)

    def node(self, name, label, **attrs):
        self.nodes.append((name, label, attrs))

    def edge(self, tail, head, **attrs):
        self.edges.append((tail, head, attrs))

    @property
    def source(self):
        head = f"digraph {_quote(self.name)} {{" if self.name else "digraph {"
        lines = [head,
                 f"\tgraph [{_attrs(self.graph_attr)}]",
                 f"\tnode [{_attrs(self.node_attr)}]"]
        for name, label, attrs in self.nodes:
            lines.append(f"\t{name} [{_attrs({'label': label, **attrs})}]")
        for tail, head, attrs in self.edges:
            extra = f" [{_attrs(attrs)}]" if attrs else ""
            lines.append(f"\t{tail} -> {head}{extra}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self):
        return self.source

    def pipe(self, format="svg"):
        """The graph rendered by Graphviz in `format` ('svg', 'png', 'pdf', ...), as bytes."""
        try:
            import graphviz
        except ImportError:
            graphviz = None
        if graphviz is not None and shutil.which("dot"):
            return graphviz.Source(self.source).pipe(format=format)
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(
                "rendering the graph needs Graphviz, which is not installed: install the "
                "`dot` program (e.g. `apt install graphviz`, `brew install graphviz`, "
                "`conda install graphviz`); the DOT text is available as `.source`")
        r = subprocess.run([exe, f"-T{format}"], input=self.source.encode(),
                           capture_output=True, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"dot failed: {r.stderr.decode(errors='replace').strip()}")
        return r.stdout

    def render(self, filename="Digraph.gv", format="pdf"):
        """Write the DOT text to `filename` and the picture to `filename.<format>`; returns
        the picture's path."""
        data = self.pipe(format)
        with open(filename, "w") as f:
            f.write(self.source)
        out = f"{filename}.{format}"
        with open(out, "wb") as f:
            f.write(data)
        return out

    def _repr_svg_(self):  # inline pictures in Jupyter
        return self.pipe("svg").decode()


def _size_str(t):
    return "(" + ", ".join(str(int(v)) for v in t.shape) + ")"


def _is_tensor(v):
    return hasattr(v, "grad_fn") and hasattr(v, "shape") and hasattr(v, "requires_grad")


def _saved_attrs(fn):
    out = []
    for attr in dir(fn):
        if attr.startswith(_SAVED):
            try:
                out.append((attr[len(_SAVED):], getattr(fn, attr)))
            except Exception as e:  # a released buffer raises, as in torch
                out.append((attr[len(_SAVED):], f"<{type(e).__name__}>"))
    return out


def _fn_label(fn, show_attrs, max_attr_chars):
    name = type(fn).__name__
    if not show_attrs:
        return name
    rows = []
    for k, v in _saved_attrs(fn):
        if _is_tensor(v):
            s = "[saved tensor]"
        elif isinstance(v, tuple) and any(_is_tensor(x) for x in v):
            s = "[saved tensors]"
        else:
            s = str(v)
        rows.append((k, s if len(s) <= max_attr_chars else s[:max_attr_chars - 3] + "..."))
    if not rows:
        return name
    width = max(len(k) for k, _ in rows)
    body = "\n".join(f"{k:<{width}}: {s}" for k, s in rows)
    return name + "\n" + "-" * max(len(name), width + 2) + "\n" + body


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """DOT picture of the graph that produced `var` (a tensor or a tuple of tensors).

    params: {name: tensor} or (name, tensor) pairs (e.g. model.named_parameters()) naming the
    leaves. show_attrs adds each node's saved non-tensor values; show_saved draws saved
    tensors as orange nodes. Returns a Dot (`.source`, `.pipe(format)`, `.render(...)`)."""
    names = {}
    if params is not None:
        items = params.items() if hasattr(params, "items") else params
        names = {id(t): k for k, t in items}
    dot = Dot()
    ids = {}         # id(obj) -> node name; `keep` holds the objects so ids stay unique
    keep = []

    def name_of(obj):
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
            keep.append(obj)
            return ids[id(obj)], True
        return ids[id(obj)], False

    def tensor_node(t, color, label=None):
        n, new = name_of(t)
        if new:
            lab = label if label is not None else names.get(id(t), "")
            dot.node(n, f"{lab}\n {_size_str(t)}", fillcolor=color)
        return n

    outputs = var if isinstance(var, tuple) else (var,)
    todo = []
    for out in outputs:
        on = tensor_node(out, "darkolivegreen1")
        fn = out.grad_fn
        if fn is not None:
            dot.edge(name_of(fn)[0], on)
            todo.append(fn)
        base = getattr(out, "_base", None)
        if base is not None:
            dot.edge(tensor_node(base, "darkolivegreen3"), on, style="dotted")
    drawn = set()
    while todo:  # iterative: deep graphs must not hit the recursion limit
        fn = todo.pop()
        fn_id, _ = name_of(fn)
        if fn_id in drawn:
            continue
        drawn.add(fn_id)
        dot.node(fn_id, _fn_label(fn, show_attrs, max_attr_chars))
        if show_saved:
            for k, v in _saved_attrs(fn):
                group = [(k, v)] if _is_tensor(v) else [
                    (f"{k}[{i}]", x) for i, x in enumerate(v) if _is_tensor(x)] \
                    if isinstance(v, tuple) else []
                for label, t in group:
                    dot.edge(fn_id, tensor_node(t, "orange", label), dir="none")
        variable = getattr(fn, "variable", None)
        if variable is not None:
            dot.edge(tensor_node(variable, "lightblue"), fn_id)
        for nxt, _ in getattr(fn, "next_functions", ()):
            if nxt is not None:
                nxt_id, _ = name_of(nxt)
                dot.edge(nxt_id, fn_id)
                todo.append(nxt)
        # a custom Function's node is its ctx: torchviz draws its saved tensors always
        try:
            custom_saved = getattr(fn, "saved_tensors", ())
        except RuntimeError:  # freed by a backward
            custom_saved = ()
        for t in custom_saved:
            if _is_tensor(t):
                dot.edge(tensor_node(t, "orange"), fn_id, dir="none")
    return dot
