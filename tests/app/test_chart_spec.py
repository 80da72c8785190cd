"""A chart is sent exactly as plotly serialises it, and a figure shared by sessions is turned into a dict once."""

import json

import plotly.graph_objects as go
import plotly.io
from streamlit.testing.v1 import AppTest


def page_with_a_shared_chart():
    import plotly.graph_objects as go
    import streamlit as st

    from ksln_ui.charts import show

    @st.cache_resource
    def figure():
        fig = go.Figure(go.Bar(x=["Lebak", "Serang"], y=[3, 4], customdata=["36.02", "36.04"]))
        fig.update_layout(title="Skor", yaxis={"range": [0, 100]})
        return fig

    show(figure(), key="grafik", png=False)
    show(figure(), key="grafik_pilih", pick=True, png=False)


def test_the_spec_is_plotlys_own_and_each_figure_is_copied_once(monkeypatch):
    calls = []
    original = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(id(self)) or original(self))
    first = AppTest.from_function(page_with_a_shared_chart).run()
    second = AppTest.from_function(page_with_a_shared_chart).run()
    assert not first.exception and not second.exception
    charts = [*first.get("plotly_chart"), *second.get("plotly_chart")]
    assert len(charts) == 4
    assert len(calls) == 1  # four charts in two sessions, one figure: one deep copy

    expected = go.Figure(go.Bar(x=["Lebak", "Serang"], y=[3, 4], customdata=["36.02", "36.04"]))
    expected.update_layout(title="Skor", yaxis={"range": [0, 100]})
    for chart in charts:
        assert json.loads(chart.proto.spec) == json.loads(plotly.io.to_json(original(expected), validate=False))


def test_a_figure_made_for_one_run_leaves_nothing_behind():
    import gc

    from ksln_ui import charts

    def page():
        import plotly.graph_objects as go

        from ksln_ui.charts import show

        show(go.Figure(go.Scatter(x=[1, 2], y=[2, 1])), key="sekali", png=False)

    gc.collect()  # plotly figures hold cycles (a trace knows its figure): earlier tests' figures go now
    before = set(charts._specs)
    app = AppTest.from_function(page).run()
    assert not app.exception and len(app.get("plotly_chart")) == 1
    gc.collect()
    assert set(charts._specs) <= before
