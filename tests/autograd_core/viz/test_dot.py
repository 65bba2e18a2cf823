"""draw_graph's DOT output (nodes, edges, labels, names, the node cap, highlighting)
and the renderer chain: system dot, else graphviz-pure, else a message saying how."""
from __future__ import annotations

import os
import re
import stat
import sys
import warnings
from pathlib import Path

import graphviz
import pytest

import autograd_core as ag
from autograd_core.scalar import Scalar
from autograd_core.viz import draw_graph
from autograd_core.viz import render as render_module
from autograd_core.viz.dot import COLORS
from autograd_core.viz.render import ComputationGraph, RendererNotFoundError, find_renderer

NODE = re.compile(r"^\t(\w+) \[")
EDGE = re.compile(r"^\t(\w+) -> (\w+)")


def nodes(graph: graphviz.Digraph) -> dict[str, str]:
    """node id -> its attribute text, from every node statement (clusters included)."""
    found = {}
    for line in graph.source.splitlines():
        match = NODE.match(line.replace("\t\t", "\t"))
        if match and "->" not in line and match.group(1) not in ("node", "edge", "graph"):
            found[match.group(1)] = line
    return found


def edges(graph: graphviz.Digraph) -> list[tuple[str, str]]:
    return [EDGE.match(line.replace("\t\t", "\t")).groups() for line in graph.source.splitlines() if " -> " in line]


def small_scalar_graph() -> tuple[Scalar, Scalar, Scalar]:
    a, b = Scalar(2.0, label="a"), Scalar(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + a).tanh()
    d.label = "d"
    return a, b, d


def test_scalar_graph_has_a_box_per_value_and_a_circle_per_op():
    a, b, d = small_scalar_graph()
    d.backward()
    graph = draw_graph(d)
    assert isinstance(graph, graphviz.Digraph)
    found = nodes(graph)
    values = [name for name in found if name.startswith("n")]
    ops = [name for name in found if name.startswith("op")]
    assert len(values) == 5 and len(ops) == 3  # a, b, c, c+a, d; ops *, +, tanh
    # each op feeds its value (3), each value feeds its consumers' ops: a twice, b, c, c+a
    assert len(edges(graph)) == 3 + 5
    source = graph.source
    for text in ("<b>a</b>", "<b>b</b>", "<b>d</b>", "data 2", "data -3", "&times;", "tanh", f"grad {a.grad:.4g}"):
        assert text in source, text
    assert "rankdir=LR" in source


def test_scalar_graph_colours_leaves_and_the_output():
    a, b, d = small_scalar_graph()
    found = nodes(draw_graph(d))
    assert COLORS["output"] in found["n0"]
    leaves = [line for line in found.values() if "<b>a</b>" in line or "<b>b</b>" in line]
    assert len(leaves) == 2 and all(COLORS["leaf"] in line for line in leaves)


def test_tensor_graph_shows_ops_shapes_dtypes_and_parameter_names():
    weight = ag.randn(3, 4, requires_grad=True)
    bias = ag.zeros(4, dtype=ag.float64, requires_grad=True)
    x = ag.randn(2, 3)
    loss = (x @ weight + bias).relu().sum()
    graph = draw_graph(loss, params={"layer.weight": weight, "layer.bias": bias})
    source = graph.source
    for text in ("<b>MatMul</b>", "<b>Add</b>", "<b>Relu</b>", "<b>Sum</b>", "(2, 4) float32", "(2, 4) float64",
                 "<b>layer.weight</b>", "(3, 4) float32", "<b>layer.bias</b>", "(4,) float64", "requires_grad",
                 "<b>output</b>", "subgraph cluster_layer"):
        assert text in source, text
    assert len(nodes(graph)) == 7  # output, Sum, Relu, Add, MatMul, weight, bias (x needs no grad)
    assert len(edges(graph)) == 6


def test_parameter_names_come_from_a_module_too():
    class TinyModule:
        def __init__(self) -> None:
            self.weight = ag.randn(2, 2, requires_grad=True)

        def named_parameters(self):
            yield "encoder.weight", self.weight

    module = TinyModule()
    graph = draw_graph((module.weight * 2).sum(), params=module)
    assert "<b>encoder.weight</b>" in graph.source and "cluster_encoder" in graph.source


def test_show_data_adds_values_and_grads_of_small_tensors_only():
    small = ag.tensor([1.0, 2.0], requires_grad=True)
    large = ag.ones(20, requires_grad=True)
    loss = (small * 3).sum() + large.sum()
    loss.backward()
    source = draw_graph(loss, params={"small": small, "large": large}, show_data=True).source
    assert "data [1, 2]" in source and "grad [3, 3]" in source
    assert "data [1, 1" not in source  # 20 elements: over max_elements
    assert "data [1, 2]" not in draw_graph(loss, params={"small": small}).source  # off by default


def test_highlight_and_edge_gradients():
    a, b, d = small_scalar_graph()
    c = d.inputs[0].inputs[0]
    graph = draw_graph(d, highlight=[c], edge_grads={(c, a): 0.25})
    highlighted = [line for line in nodes(graph).values() if COLORS["highlight"] in line]
    assert len(highlighted) == 2 and any("<b>c</b>" in line for line in highlighted)  # c's box and its op
    assert "&nbsp;0.25" in graph.source and COLORS["sent"] in graph.source


def test_grads_mapping_replaces_dot_grad():
    a, b, d = small_scalar_graph()
    source = draw_graph(d, grads={d: 1.0, a: 0.5}).source
    assert "grad 0.5" in source and source.count("grad &middot;") == 3


def test_rankdir_and_title():
    a, b, d = small_scalar_graph()
    source = draw_graph(d, rankdir="TB", title="x < y").source
    assert "rankdir=TB" in source and "x &lt; y" in source


def test_auto_layout_draws_small_graphs_left_to_right_and_wide_ones_top_to_bottom():
    a, b, d = small_scalar_graph()
    assert "rankdir=LR" in draw_graph(d).source
    x = Scalar(0.5, label="x")
    chain = x
    for _ in range(4):
        chain = chain.tanh()
    assert "rankdir=LR" in draw_graph(chain).source  # a short chain reads left to right
    for _ in range(30):
        chain = chain.tanh()
    assert "rankdir=TB" in draw_graph(chain).source  # 35 values in a row would be ~4,000 pt wide
    assert "rankdir=LR" in draw_graph(chain, rankdir="LR").source


def test_scalar_boxes_stack_label_data_and_grad():
    a, b, d = small_scalar_graph()
    label = nodes(draw_graph(d))["n0"]
    assert "<tr><td><b>d</b></td></tr><tr><td>data " in label and "</td></tr><tr><td>grad 0" in label


def test_size_scales_a_drawing_down():
    d = small_scalar_graph()[2]
    assert "size=\"6,1000\"" in draw_graph(d, size=6).source
    assert "size=\"6,4.5\"" in draw_graph(d, size=(6, 4.5)).source
    assert " size=" not in draw_graph(d).source
    with pytest.raises(ValueError, match="size must be a width or a \\(width, height\\)"):
        draw_graph(d, size=(6, -1))


def test_the_graph_knows_each_entrys_node_name():
    a, b, d = small_scalar_graph()
    graph = draw_graph(d)
    assert graph.node_names[id(d)] == "n0" and graph.entry_points[id(d)] == "op0"
    assert graph.entry_points[id(a)] == graph.node_names[id(a)]  # a leaf has no op circle
    x = ag.ones(2, requires_grad=True)
    loss = (x * 2.0).sum()
    tensor_graph = draw_graph(loss)
    assert tensor_graph.node_names[id(loss)] == "n0" and tensor_graph.node_names[id(loss.grad_fn)] == "n1"


def test_portable_svg_names_metric_twins_and_fits_wider_fonts():
    from autograd_core.viz.render import portable_svg

    svg = '<svg width="10pt">\n<text font-family="Helvetica,sans-Serif" font-size="10.00">grad 1</text></svg>'
    fixed = portable_svg(svg)
    assert "font-family=\"Helvetica, Arial, Arimo, 'Liberation Sans'" in fixed and "sans-serif\"" in fixed
    assert "@font-face" in fixed and "local('DejaVu Sans')" in fixed and "size-adjust: 85%" in fixed
    assert fixed.index("<style>") > fixed.index("<svg")  # inside the SVG, so it travels with it
    assert portable_svg("<svg><text>no fonts named</text></svg>") == "<svg><text>no fonts named</text></svg>"


def test_a_huge_graph_is_capped_with_a_summary_node():
    x = Scalar(1.0, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001  # a chain of 40,000 Scalars (each step adds a constant)
    graph = draw_graph(y, max_nodes=50)
    found = nodes(graph)
    assert len([name for name in found if name.startswith("n")]) == 50
    assert "summary" in found
    assert f"&hellip; {40_001 - 50} more nodes" in graph.source  # each left-out Scalar counted once
    targets = [target for source, target in edges(graph) if source == "summary"]
    assert targets and all(target.startswith("op") for target in targets)  # into the drawn ops whose inputs were cut


def test_the_cap_is_honoured_for_tensors():
    x = ag.ones(3, requires_grad=True)
    y = x
    for _ in range(100):
        y = y * 2.0
    graph = draw_graph(y.sum(), max_nodes=10)
    found = nodes(graph)
    assert len(found) == 11 and "summary" in found and "&hellip; 93 more nodes" in graph.source


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda d: draw_graph(d, rankdir="UP"), ValueError, ["rankdir", "'UP'", "LR"]),
        (lambda d: draw_graph(d, max_nodes=0), ValueError, ["max_nodes", "positive"]),
        (lambda d: draw_graph(3.0), TypeError, ["Scalar or a Tensor", "float"]),
        (lambda d: draw_graph(ag.ones(2)), ValueError, ["does not require grad", "(2,)", "requires_grad=True"]),
        (lambda d: draw_graph(d, params=[1, 2]), TypeError, ["named_parameters", "list"]),
    ],
)
def test_bad_arguments_are_explained(call, error, words):
    d = small_scalar_graph()[2]
    with pytest.raises(error) as raised:
        call(d)
    for word in words:
        assert word in str(raised.value)


# -- the renderer chain ---------------------------------------------------------------
@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    """Nothing on PATH, nothing beside Python."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(render_module, "_script_folders", lambda: [None])


def fake_program(folder: Path, name: str) -> Path:
    """A stand-in renderer that echoes its arguments and its input."""
    folder.mkdir(exist_ok=True)
    program = folder / name
    echo = "import sys\nsys.stdout.write(' '.join(sys.argv[1:]) + '|' + sys.stdin.read())\n"
    program.write_text(f"#!{sys.executable}\n{echo}")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


posix_only = pytest.mark.skipif(os.name == "nt", reason="the stand-in renderer is a POSIX script")


@posix_only
def test_the_system_dot_comes_first(monkeypatch, tmp_path, no_renderer):
    dot = fake_program(tmp_path / "bin", "dot")
    fake_program(tmp_path / "scripts", "graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(render_module, "_script_folders", lambda: [None, str(tmp_path / "scripts")])
    assert find_renderer() == str(dot)


@posix_only
def test_graphviz_pure_is_found_beside_python_and_driven_like_dot(monkeypatch, tmp_path, no_renderer):
    program = fake_program(tmp_path / "scripts", "graphviz-pure")
    monkeypatch.setattr(render_module, "_script_folders", lambda: [None, str(tmp_path / "scripts")])
    assert find_renderer() == str(program)
    graph = draw_graph(small_scalar_graph()[2])
    assert graph.pipe(format="svg", encoding="utf-8") == "-Kdot -Tsvg|" + graph.source
    path = graph.render(outfile=tmp_path / "out" / "graph.png")
    assert path == str(tmp_path / "out" / "graph.png")
    assert Path(path).read_text().startswith("-Kdot -Tpng|digraph")
    assert (tmp_path / "out" / "graph.gv").read_text() == graph.source
    with pytest.raises(TypeError, match="view need the system Graphviz"):
        graph.render(tmp_path / "viewed", format="svg", view=True)


def test_without_a_renderer_the_message_says_how_to_get_one(no_renderer, tmp_path):
    graph = draw_graph(small_scalar_graph()[2])
    assert find_renderer() is None and graph.source.startswith("digraph")
    with pytest.raises(RendererNotFoundError) as raised:
        graph.pipe(format="svg")
    message = str(raised.value)
    assert isinstance(raised.value, graphviz.ExecutableNotFound)  # code catching graphviz's error still works
    for text in ("no Graphviz renderer found", "pip install graphviz-pure", "apt-get install graphviz", "graph.source"):
        assert text in message, text
    with pytest.raises(RendererNotFoundError, match=re.escape(str(tmp_path / "graph.gv"))):
        graph.render(outfile=tmp_path / "graph.png")
    assert (tmp_path / "graph.gv").read_text() == graph.source  # the DOT text is still written
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bundle = graph._repr_mimebundle_()
    assert bundle == {"text/plain": graph.source}
    assert len(caught) == 1 and "pip install graphviz-pure" in str(caught[0].message)


renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer (dot or graphviz-pure) installed")


@renderer
@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_saving_svg_and_png_files_from_a_script(tmp_path, suffix, magic):
    x = ag.randn(3, 2, requires_grad=True)
    graph = draw_graph((x * x).sum(), params={"x": x}, show_data=True)
    path = graph.render(outfile=tmp_path / f"graph.{suffix}")
    assert Path(path).read_bytes().startswith(magic)


@renderer
def test_notebook_display_is_svg_when_a_renderer_exists():
    bundle = draw_graph(small_scalar_graph()[2])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and "Fitted DejaVu Sans" in bundle["image/svg+xml"]


@renderer
def test_saved_svg_files_are_portable_too(tmp_path):
    path = draw_graph(small_scalar_graph()[2]).render(outfile=tmp_path / "graph.svg")
    assert "Fitted DejaVu Sans" in Path(path).read_text()


def test_computation_graph_is_a_graphviz_digraph():
    assert issubclass(ComputationGraph, graphviz.Digraph)
