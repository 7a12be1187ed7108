"""Plotly figures of an ensemble: fan charts, settlement, terms, escalation, claims, tornado.

Each builder takes arrays or a :class:`~detente.results.Results` and returns a
``plotly.graph_objects.Figure`` (or None when the results hold nothing to draw). The report
and the dashboard both use them, so what an analyst sees in one is what they see in the
other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from detente._optional import import_optional
from detente._typing import FloatArray
from detente.analysis import deal_issues
from detente.analysis.claims import jeffreys_interval
from detente.present.style import (
    BAND_ALPHA,
    BANDS,
    FONT,
    LOWERS_COLOUR,
    RAISES_COLOUR,
    VERDICT_COLOURS,
    ChartSpec,
    policy_colour,
    pretty,
    rgba,
    unit_label,
)
from detente.present.summary import drawable
from detente.results.schema import select

if TYPE_CHECKING:
    from detente.results import Results

__all__ = [
    "FAN_LEVELS", "FLAT_SHARE", "claims_figure", "escalation_figure", "fan_figure", "fan_quantiles",
    "flattens", "overlay_fan_figure", "settlement_curves", "settlement_figure", "terms_figure",
    "terms_shares", "threshold_figure", "tornado_figure",
]

#: Quantile levels of the fan charts: 95, 80 and 50 % central bands and the median.
FAN_LEVELS: tuple[float, ...] = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
_MARGIN = {"l": 78, "r": 24, "t": 56, "b": 48}


def _go() -> Any:
    return import_optional("plotly.graph_objects", extra="report", purpose="Charts")


def _subplots() -> Any:
    mod = import_optional("plotly.subplots", extra="report", purpose="Charts")
    return mod.make_subplots


def _layout(fig: Any, *, height: int, title: str | None = None, legend: bool = True) -> None:
    """House style; the legend sits under the plots, clear of the panel titles."""
    fig.update_layout(
        template="plotly_white", height=height,
        margin={**_MARGIN, "b": _MARGIN["b"] + (34 if legend else 0)},
        font={"family": FONT, "size": 12, "color": "#1f2328"},
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}}
        if title else None,
        showlegend=legend, hovermode="x unified",
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom",
                "x": 0.0, "xanchor": "left"},
    )


def fan_quantiles(values: FloatArray, levels: Sequence[float] = FAN_LEVELS) -> FloatArray:
    """Quantiles over samples of a ``(policy, sample, time)`` array.

    Returns
    -------
    ndarray
        Shape ``(len(levels), policy, time)``; NaN where every sample is NaN.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
        return np.asarray(np.nanquantile(values, list(levels), axis=1), dtype=np.float64)


def _dates(res: Results) -> list[str]:
    return [str(d)[:10] for d in res.ds["time"].values]


def _tickformat(q: FloatArray) -> str | None:
    finite = q[np.isfinite(q)]
    if finite.size and float(np.max(np.abs(finite))) >= 10_000:
        return "~s"
    return None


def fan_figure(res: Results, spec: ChartSpec, *, policies: Sequence[str] | None = None,
               columns: int = 4, height_per_row: int = 240,
               levels: Mapping[str, FloatArray] | None = None,
               y_axes: Literal["auto", "shared", "own"] = "auto") -> Any | None:
    """Fan chart of ``spec``'s variables, one panel per policy.

    Parameters
    ----------
    res : Results
        The ensemble.
    spec : ChartSpec
        Variables, title, unit and caption.
    policies : sequence of str, optional
        Policies to draw (default: all in the results).
    columns : int
        Panels per row.
    height_per_row : int
        Pixel height of a row of panels.
    levels : mapping, optional
        Precomputed :func:`fan_quantiles` per variable (saves recomputing them).
    y_axes : {"auto", "shared", "own"}
        Whether the panels share one y range (``"shared"``) or each has its own
        (``"own"``); ``"auto"``: their own where one shared range would flatten a panel
        (:func:`flattens`). The figure's ``layout.meta["y_axes"]`` says which was drawn.

    Returns
    -------
    plotly Figure or None
        None when none of the variables has something to draw (:func:`drawable`).
    """
    go = _go()
    ds = res.ds
    series = [s for s in spec.series if drawable(ds, s.variable)]
    if not series:
        return None
    pols = list(policies) if policies is not None else res.policies
    idx = [res.policies.index(p) for p in pols]
    n_cols = min(columns, len(pols))
    n_rows = math.ceil(len(pols) / n_cols)
    all_q = [(levels[s.variable] if levels is not None and s.variable in levels
              else fan_quantiles(np.asarray(select(ds, s.variable).values,
                                            dtype=np.float64))) * s.scale for s in series]
    own = y_axes == "own" or (y_axes == "auto" and spec.y_range is None
                              and flattens(np.stack(all_q)[:, :, idx]))
    fig = _subplots()(rows=n_rows, cols=n_cols, shared_xaxes="all",
                      shared_yaxes=False if own else "all", subplot_titles=pols,
                      horizontal_spacing=0.05 if own else 0.02,
                      vertical_spacing=0.16 if n_rows > 1 else 0.1)
    dates = _dates(res)
    for s, q in zip(series, all_q, strict=True):
        for k, ip in enumerate(idx):
            row, col = divmod(k, n_cols)
            for band in BANDS:
                lo_i = FAN_LEVELS.index(round((1 - band) / 2, 4))
                hi_i = FAN_LEVELS.index(round(1 - (1 - band) / 2, 4))
                fill = rgba(s.colour, BAND_ALPHA[band])
                fig.add_trace(go.Scatter(
                    x=dates, y=q[hi_i, ip].astype(np.float32), mode="lines",
                    line={"width": 0}, hoverinfo="skip", showlegend=False),
                    row=row + 1, col=col + 1)
                fig.add_trace(go.Scatter(
                    x=dates, y=q[lo_i, ip].astype(np.float32), mode="lines",
                    line={"width": 0}, fill="tonexty", fillcolor=fill, hoverinfo="skip",
                    showlegend=False), row=row + 1, col=col + 1)
            fig.add_trace(go.Scatter(
                x=dates, y=q[FAN_LEVELS.index(0.5), ip].astype(np.float32), mode="lines",
                line={"color": s.colour, "width": 2}, name=f"{s.label} (median and bands)",
                legendgroup=s.label, showlegend=k == 0 and len(series) > 1,
                hovertemplate=f"{s.label}, {pols[k]}: %{{y:,.4~g}}<extra></extra>"),
                row=row + 1, col=col + 1)
    unit = spec.unit or unit_label(str(select(ds, series[0].variable).attrs.get("units", "")))
    fmt = _tickformat(np.stack(all_q))
    fig.update_yaxes(tickformat=fmt, zeroline=False)
    if spec.y_range is not None:
        fig.update_yaxes(range=list(spec.y_range))
    for r in range(n_rows):
        fig.update_yaxes(title_text=unit, row=r + 1, col=1)
    fig.update_xaxes(tickformat="%b %Y", nticks=5)
    if spec.reference is not None:
        fig.add_hline(y=spec.reference, line={"color": "#555", "width": 1, "dash": "dot"})
    fig.update_annotations(font={"size": 12})
    _layout(fig, height=n_rows * height_per_row + 90, legend=len(series) > 1)
    fig.update_layout(hovermode="closest", meta={"y_axes": "own" if own else "shared"})
    return fig


#: A panel is flattened when its own range is less than this share of the shared one.
FLAT_SHARE = 0.25


def flattens(q: FloatArray) -> bool:
    """Whether one y range shared by every panel would flatten one of them.

    Parameters
    ----------
    q : ndarray
        The fans' quantiles, shape ``(series, len(FAN_LEVELS), panel, time)``.

    Returns
    -------
    bool
        True when some panel's own range (its 95 % bands over time, every series) is less
        than :data:`FLAT_SHARE` of the range all panels span together: on a shared axis it
        would read as a flat line.
    """
    import warnings

    lo_i, hi_i = FAN_LEVELS.index(0.025), FAN_LEVELS.index(0.975)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a panel all NaN
        lo = np.nanmin(q[:, lo_i], axis=(0, 2))  # per panel
        hi = np.nanmax(q[:, hi_i], axis=(0, 2))
    ok = np.isfinite(lo) & np.isfinite(hi)
    if ok.sum() < 2:
        return False
    span = float(np.max(hi[ok]) - np.min(lo[ok]))
    return span > 0 and bool(np.any(hi[ok] - lo[ok] < FLAT_SHARE * span))


def settlement_curves(res: Results) -> tuple[FloatArray, FloatArray] | None:
    """Cumulative probability of a first settlement, and of a deal in force, over time.

    Returns
    -------
    (ndarray, ndarray) or None
        Each of shape ``(policy, time)``: the share of samples whose first settlement was
        signed by each recorded date (cumulative incidence, from ``months_to_settlement``),
        and the share with a deal in force (``settled``). None without the bargaining
        module's outputs.
    """
    ds = res.ds
    if "months_to_settlement" not in ds:
        return None
    mts = np.asarray(ds["months_to_settlement"].isel(time=-1).values, dtype=np.float64)
    mts = np.where(np.isnan(mts), np.inf, mts)  # (policy, sample)
    months = np.asarray(ds["month"].values, dtype=np.float64)
    cum = (mts[:, :, None] <= months[None, None, :] + 1e-9).mean(axis=1)
    if "settled" in ds:
        force = np.asarray(ds["settled"].values, dtype=np.float64).mean(axis=1)
    else:
        force = np.full_like(cum, np.nan)
    return cum, force


def settlement_figure(res: Results, *, policies: Sequence[str] | None = None,
                      colours: Mapping[str, str] | None = None,
                      height: int = 420) -> Any | None:
    """Settlement odds over time per policy: first settlement signed, and a deal in force.

    Parameters
    ----------
    res : Results
        The ensemble (with the bargaining module's outputs).
    policies : sequence of str, optional
        Policies drawn (default: all).
    colours : mapping, optional
        Colour per policy (default: by position in the results).
    height : int
        Pixel height.
    """
    go = _go()
    curves = settlement_curves(res)
    if curves is None:
        return None
    cum, force = curves
    pols = list(policies) if policies is not None else res.policies
    dates = _dates(res)
    has_force = bool(np.isfinite(force).any())
    titles = ["First settlement signed by this date (cumulative)"]
    if has_force:
        titles.append("A settlement in force at this date")
    fig = _subplots()(rows=1, cols=len(titles), subplot_titles=titles, shared_yaxes=True,
                      horizontal_spacing=0.06)
    for pol in pols:
        ip = res.policies.index(pol)
        colour = colours[pol] if colours else policy_colour(ip)
        fig.add_trace(go.Scatter(x=dates, y=cum[ip].astype(np.float32), mode="lines",
                                 name=pol, legendgroup=pol,
                                 line={"color": colour, "width": 2.2},
                                 hovertemplate=f"{pol}: %{{y:.0%}}<extra></extra>"),
                      row=1, col=1)
        if has_force:
            fig.add_trace(go.Scatter(x=dates, y=force[ip].astype(np.float32), mode="lines",
                                     name=pol, legendgroup=pol, showlegend=False,
                                     line={"color": colour, "width": 2.2, "dash": "dash"},
                                     hovertemplate=f"{pol}: %{{y:.0%}}<extra></extra>"),
                          row=1, col=2)
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="probability (share of samples)", row=1, col=1)
    fig.update_xaxes(tickformat="%b %Y", nticks=6)
    fig.update_annotations(font={"size": 12})
    _layout(fig, height=height)
    return fig


def terms_shares(res: Results) -> dict[str, dict[str, list[float | None]]]:
    """Share of settled samples at each level of each deal dimension, at the horizon.

    Returns
    -------
    dict
        ``{dimension: {level: [share per policy (None without any deal)]}}``.
    """
    ds = res.ds
    out: dict[str, dict[str, list[float | None]]] = {}
    for dim in deal_issues(res):
        var = f"deal_{dim.name}"
        if var not in ds:
            continue
        lev = np.asarray(ds[var].isel(time=-1).values, dtype=np.float64)  # (policy, sample)
        signed = lev >= 0
        shares: dict[str, list[float | None]] = {}
        for i, level in enumerate(dim.levels):
            row: list[float | None] = []
            for ip in range(lev.shape[0]):
                n = int(signed[ip].sum())
                row.append(float(np.mean(lev[ip][signed[ip]] == i)) if n else None)
            shares[level] = row
        out[dim.name] = shares
    return out


def terms_figure(res: Results) -> Any | None:
    """Heat maps of the terms of the deals signed: one per dimension, policies across.

    Policies under which no deal was signed are left out (the caption names them).
    """
    go = _go()
    shares = terms_shares(res)
    if not shares:
        return None
    ds = res.ds
    lev = np.asarray(ds[f"deal_{next(iter(shares))}"].isel(time=-1).values)
    n_deals = (lev >= 0).sum(axis=1)
    keep = [ip for ip in range(len(res.policies)) if n_deals[ip] > 0]
    if not keep:
        return None
    labels = [res.policies[ip] for ip in keep]
    counts = [int(n_deals[ip]) for ip in keep]
    dims = list(shares)
    n_cols = 3 if len(keep) <= 4 else 2
    n_rows = math.ceil(len(dims) / n_cols)
    fig = _subplots()(rows=n_rows, cols=n_cols, subplot_titles=[pretty(d) for d in dims],
                      horizontal_spacing=0.17 if n_cols == 3 else 0.2, vertical_spacing=0.2)
    for k, dim in enumerate(dims):
        row, col = divmod(k, n_cols)
        levels = list(shares[dim])
        vals = [[shares[dim][lv][ip] for ip in keep] for lv in levels]
        z = np.array([[np.nan if v is None else v for v in r] for r in vals])
        text = [["–" if v is None else f"{v:.0%}" for v in r] for r in vals]
        fig.add_trace(go.Heatmap(
            z=z, x=labels, y=[pretty(lv) for lv in levels], text=text,
            customdata=[counts] * len(levels), texttemplate="%{text}",
            coloraxis="coloraxis", xgap=2, ygap=2,
            hovertemplate=(f"{pretty(dim)}: %{{y}}<br>%{{x}}: %{{text}} of "
                           "%{customdata} deals<extra></extra>")),
            row=row + 1, col=col + 1)
    fig.update_layout(coloraxis={"colorscale": "Blues", "cmin": 0, "cmax": 1,
                                 "colorbar": {"title": {"text": "share of deals"},
                                              "tickformat": ".0%", "len": 0.8,
                                              "thickness": 14}})
    fig.update_xaxes(tickfont={"size": 11}, tickangle=-20, automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_annotations(font={"size": 12})
    _layout(fig, height=n_rows * 210 + 110, legend=False)
    fig.update_layout(hovermode="closest")
    return fig


def escalation_figure(res: Results) -> Any | None:
    """Risk of escalation to a wider war per policy: over time, and at the horizon (90 %)."""
    go = _go()
    ds = res.ds
    if "escalated" not in ds:
        return None
    esc = np.asarray(ds["escalated"].values, dtype=np.float64) > 0.5  # (policy, sample, time)
    over_time = esc.mean(axis=1)
    n = esc.shape[1]
    pols = res.policies
    dates = _dates(res)
    end = str(dates[-1])
    fig = _subplots()(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.2,
                      subplot_titles=["Cumulative probability over time",
                                      f"By {end} (90 % interval)"])
    finals, lows, highs = [], [], []
    for ip, pol in enumerate(pols):
        colour = policy_colour(ip)
        fig.add_trace(go.Scatter(x=dates, y=over_time[ip].astype(np.float32), mode="lines",
                                 name=pol, legendgroup=pol,
                                 line={"color": colour, "width": 2.2},
                                 hovertemplate=f"{pol}: %{{y:.1%}}<extra></extra>"),
                      row=1, col=1)
        k = int(esc[ip, :, -1].sum())
        lo, hi = jeffreys_interval(k, n)
        finals.append(k / n)
        lows.append(k / n - lo)
        highs.append(hi - k / n)
    fig.add_trace(go.Bar(
        y=pols, x=finals, orientation="h", showlegend=False,
        marker={"color": [policy_colour(i) for i in range(len(pols))]},
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows,
                 "color": "#333", "thickness": 1.2},
        hovertemplate="%{y}: %{x:.1%}<extra></extra>"), row=1, col=2)
    # the value, written just past the interval's upper end
    fig.add_trace(go.Scatter(
        y=pols, x=[f + h for f, h in zip(finals, highs, strict=True)], mode="text",
        text=[f"  {p:.1%}" for p in finals], textposition="middle right",
        textfont={"size": 11}, showlegend=False, hoverinfo="skip", cliponaxis=False),
        row=1, col=2)
    top = max([f + h for f, h in zip(finals, highs, strict=True)] + [0.02]) * 1.15
    fig.update_yaxes(tickformat=".0%", title_text="probability of escalation",
                     rangemode="tozero", row=1, col=1)
    fig.update_xaxes(tickformat="%b %Y", nticks=6, row=1, col=1)
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.0, top * 1.25)],
                     title_text="probability", row=1, col=2)
    fig.update_yaxes(autorange="reversed", automargin=True, ticklabelstandoff=8, row=1, col=2)
    fig.update_annotations(font={"size": 12})
    _layout(fig, height=420)
    fig.update_layout(hovermode="closest")
    return fig


def claims_figure(claims: Sequence[Any]) -> Any | None:
    """Each testable claim's probability with its interval, coloured by verdict."""
    go = _go()
    rows = [c for c in claims if c.probability is not None]
    if not rows:
        return None
    fig = go.Figure()
    for verdict, colour in VERDICT_COLOURS.items():
        sub = [c for c in rows if c.verdict == verdict]
        if not sub:
            continue
        p = [c.probability for c in sub]
        lo = [c.probability - c.interval[0] if c.interval else 0.0 for c in sub]
        hi = [c.interval[1] - c.probability if c.interval else 0.0 for c in sub]
        fig.add_trace(go.Scatter(
            x=p, y=[c.id for c in sub], mode="markers", name=verdict,
            marker={"color": colour, "size": 11, "symbol": "diamond"},
            error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo,
                     "color": colour, "thickness": 2},
            hovertemplate="%{y}: P = %{x:.2f}<extra>" + verdict + "</extra>"))
    fig.add_vrect(x0=0, x1=0.2, fillcolor=rgba(VERDICT_COLOURS["refuted"], 0.06),
                  line_width=0, layer="below")
    fig.add_vrect(x0=0.8, x1=1, fillcolor=rgba(VERDICT_COLOURS["supported"], 0.06),
                  line_width=0, layer="below")
    order = [c.id for c in rows]
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], automargin=True)
    fig.update_xaxes(range=[-0.01, 1.01], tickformat=".0%", dtick=0.1,
                     title_text="probability that the claim holds (share of samples)")
    _layout(fig, height=120 + 24 * len(rows))
    fig.update_layout(hovermode="closest", margin={**_MARGIN, "l": 190})
    return fig


def tornado_figure(indices: Any, *, output: str, unit: str, top: int = 15) -> Any:
    """Tornado of Morris elementary effects: signed mean effect per parameter, with error.

    Each bar carries the half-width of the bootstrap interval on the mean absolute effect
    (``mu_star_conf``), and each label the ranks the parameter could hold given every
    interval (``"2–5"``: the order is not resolved), so a ranking the design cannot
    resolve does not read as a finding.

    Parameters
    ----------
    indices : pandas.DataFrame
        :attr:`detente.analysis.sensitivity.Morris.indices_` (columns ``mu``,
        ``mu_star``, ``sigma``, ``mu_star_conf``; index parameter names).
    output : str
        The output expression (for the title).
    unit : str
        Its unit.
    top : int
        Parameters shown, by ``mu_star``.
    """
    from detente.analysis.sensitivity import rank_ranges

    go = _go()
    ranked = indices.sort_values("mu_star", ascending=False)
    best, worst = rank_ranges(ranked["mu_star"].to_numpy(), ranked["mu_star_conf"].to_numpy())
    df = ranked.head(top)
    names = [str(n) for n in df.index]
    labels = [f"{n} (rank {int(b)})" if b == w else f"{n} (rank {int(b)}–{int(w)})"
              for n, b, w in zip(names, best[:len(names)], worst[:len(names)], strict=True)]
    mu = df["mu"].to_numpy(dtype=np.float64)
    err = np.abs(df["mu_star_conf"].to_numpy(dtype=np.float64))
    colours = [RAISES_COLOUR if m > 0 else LOWERS_COLOUR for m in mu]
    fig = go.Figure(go.Bar(
        y=labels, x=mu, orientation="h", marker={"color": colours},
        error_x={"type": "data", "array": err, "color": "#333", "thickness": 1.2},
        customdata=np.stack([df["mu_star"].to_numpy(), err, df["sigma"].to_numpy()], axis=1),
        hovertemplate=("%{y}<br>mean effect %{x:,.4~g}<br>mean |effect| "
                       "%{customdata[0]:,.4~g} ± %{customdata[1]:,.3~g}"
                       "<br>spread (sd) %{customdata[2]:,.4~g}<extra></extra>")))
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=True)
    fig.add_vline(x=0, line={"color": "#333", "width": 1})
    fig.update_xaxes(title_text=f"change in {output} ({unit}) as the parameter moves from "
                                "its 12.5th to its 87.5th percentile", zeroline=False)
    _layout(fig, height=140 + 26 * len(names), legend=False)
    fig.update_layout(hovermode="closest", margin={**_MARGIN, "l": 260})
    return fig


def overlay_fan_figure(q: FloatArray, *, dates: Sequence[str], policies: Sequence[str],
                       colours: Sequence[str], label: str, unit: str,
                       scale: float = 1.0, height: int = 380,
                       bands: Sequence[float] = (0.8, 0.5)) -> Any:
    """Fan chart with the policies overlaid in one panel (central bands and the median).

    Parameters
    ----------
    q : ndarray
        :func:`fan_quantiles` of the variable, shape ``(len(FAN_LEVELS), policy, time)``.
    dates : sequence of str
        ISO dates of the time axis.
    policies : sequence of str
        Names of ``q``'s policies, in order.
    colours : sequence of str
        One colour per policy.
    label, unit : str
        Title and axis unit.
    scale : float
        Display multiplier.
    height : int
        Pixel height.
    bands : sequence of float
        Central bands drawn, widest first (each of :data:`FAN_LEVELS`'s 0.5, 0.8, 0.95);
        with many policies, one band keeps the lines readable.
    """
    go = _go()
    fig = go.Figure()
    q = q * scale
    alpha = {0.95: 0.1, 0.8: 0.16, 0.5: 0.28 if len(bands) > 1 else 0.18}
    for ip, pol in enumerate(policies):
        colour = colours[ip]
        for band in bands:
            lo_i = FAN_LEVELS.index(round((1 - band) / 2, 4))
            hi_i = FAN_LEVELS.index(round(1 - (1 - band) / 2, 4))
            fig.add_trace(go.Scatter(x=list(dates), y=q[hi_i, ip].astype(np.float32),
                                     mode="lines", line={"width": 0}, hoverinfo="skip",
                                     showlegend=False, legendgroup=pol))
            fig.add_trace(go.Scatter(x=list(dates), y=q[lo_i, ip].astype(np.float32),
                                     mode="lines", line={"width": 0}, fill="tonexty",
                                     fillcolor=rgba(colour, alpha[band]),
                                     hoverinfo="skip", showlegend=False, legendgroup=pol))
        fig.add_trace(go.Scatter(
            x=list(dates), y=q[FAN_LEVELS.index(0.5), ip].astype(np.float32), mode="lines",
            name=pol, legendgroup=pol, line={"color": colour, "width": 2.4},
            hovertemplate=f"{pol}: %{{y:,.4~g}}<extra></extra>"))
    fig.update_yaxes(title_text=unit, tickformat=_tickformat(q))
    fig.update_xaxes(tickformat="%b %Y", nticks=6)
    said = " and ".join(f"{b:.0%}".replace("%", " %") for b in sorted(bands))
    plural = "s" if len(bands) > 1 else ""
    _layout(fig, height=height, title=f"{label}: median, {said} band{plural}")
    fig.update_layout(hovermode="x unified", margin={**_MARGIN, "t": 44})
    return fig


#: Bins of a claim's metric histogram.
_METRIC_BINS = 40


def threshold_figure(panels: Sequence[Mapping[str, Any]], *, colour: str) -> Any | None:
    """Draw a claim's tested metric across samples against its threshold, a panel per part.

    Parameters
    ----------
    panels : sequence of mapping
        One per part of the claim's test with a numeric threshold: ``values`` (one per
        sample, NaN where undefined or not selected), ``threshold``, ``op`` (``"<"``,
        ``">="``, ...), ``title`` (the part in words), ``share`` (the share of samples
        on the claim's side) and ``axis`` (the metric's axis title).
    colour : str
        The claim's verdict colour, for its side of the threshold.

    Returns
    -------
    plotly Figure or None
        None when no panel has a finite value. Each panel has its own axes: the
        histogram of the metric, the threshold as a line and the claim's side of it
        shaded, with the share on that side in the panel's title.
    """
    go = _go()
    shown = [p for p in panels if np.isfinite(np.asarray(p["values"], dtype=np.float64)).any()]
    if not shown:
        return None
    titles = [f"{p['title']}<br>on the claim's side: {100 * float(p['share']):.0f} %"
              for p in shown]
    fig = _subplots()(rows=1, cols=len(shown), subplot_titles=titles,
                      horizontal_spacing=0.08)
    for k, p in enumerate(shown):
        v = np.asarray(p["values"], dtype=np.float64)
        v = v[np.isfinite(v)]
        t = float(p["threshold"])
        lo, hi = float(min(v.min(), t)), float(max(v.max(), t))
        pad = (hi - lo) * 0.04 or max(abs(t), 1.0) * 0.05
        fig.add_trace(go.Histogram(
            x=v.astype(np.float32), nbinsx=_METRIC_BINS, marker={"color": "#8c959f"},
            showlegend=False, hovertemplate="%{x}: %{y} samples<extra></extra>"),
            row=1, col=k + 1)
        above = str(p["op"]).startswith(">")
        x0, x1 = (t, hi + pad) if above else (lo - pad, t)
        fig.add_vrect(x0=x0, x1=x1, fillcolor=rgba(colour, 0.12), line_width=0,
                      layer="below", row=1, col=k + 1)
        fig.add_vline(x=t, line={"color": colour, "width": 2, "dash": "dash"},
                      row=1, col=k + 1)
        fig.update_xaxes(title_text=str(p.get("axis", "")), range=[lo - pad, hi + pad],
                         row=1, col=k + 1)
    fig.update_yaxes(title_text="samples", row=1, col=1)
    fig.update_annotations(font={"size": 11})
    _layout(fig, height=300, legend=False)
    fig.update_layout(hovermode="closest", bargap=0.04,
                      margin={**_MARGIN, "t": 64 if len(shown) == 1 else 78})
    return fig
