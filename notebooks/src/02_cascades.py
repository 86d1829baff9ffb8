# %% [markdown]
# # 2. Cooperative cascades
#
# **Learning goals.** After this notebook you can
#
# 1. describe the Fehr & Gächter (2002) laboratory design and what it found about punishment;
# 2. read the Fowler & Christakis (2010) cascade regressions: how much more a subject gives
#    per MU her group-mates gave, and per MU given by people she never met;
# 3. measure the cascade *causally*, as only a simulation can: the same world played twice,
#    once with one subject giving one extra MU;
# 4. change the share of conditional cooperators and watch the multiplier move.
#
# **What you need.** Notebook 1 (the public-goods game, MU, MPCR). A *regression* here means
# fitting a straight-line relation between a person's contribution and what others gave; its
# *coefficient* is the slope (MU more per MU the others gave), and its *95% confidence
# interval* is the range of slopes the data are compatible with. Exercises marked
# **(advanced)** use more statistics or NumPy than the rest; skip them on a first pass.
#
# Everything comes from the package: `sim.lab` plays the laboratory, `sim.analysis` holds the
# analyses, and the parameters are those of `cascade experiment fowler-christakis`
# (`experiments/fowler_christakis.toml`), read through the experiment's own functions.

# %%
# Setup: the project's package must be importable (see notebooks/README.md if this fails).
try:
    import sim  # noqa: F401
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "The package 'sim' was not found: open this notebook with the project's environment "
        "as the kernel, or install the project first (notebooks/README.md)") from None

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from experiments.fowler_christakis import behaviour_for, load_parameters
from sim.analysis.cascade import influence
from sim.analysis.causal import causal_cascade
from sim.analysis.stats import mean_ci
from sim.behaviour.kernels import TYPE_NAMES
from sim.lab import LabDesign, paired_runs, panel, run_lab

params = load_parameters()
design = LabDesign(**params["design"])  # sessions=10: the original 240 subjects
behaviour = behaviour_for(params)
design

# %% [markdown]
# ## The laboratory
#
# Fehr & Gächter (2002, *Nature* 415:137) ran 10 sessions of 24 students. Each period the 24
# were split into six groups of four and played the public-goods game (endowment 20 MU,
# MPCR 0.4); the groups were re-matched every period as **perfect strangers**, so no two people
# met twice within a treatment. Six periods were played without punishment and six with a
# **punishment stage**: after seeing what the others gave, each subject could buy points
# against group-mates, a point costing the punisher 1 MU and the punished 3 MU. Half the
# sessions played the punishment treatment first (*counterbalanced order*).
#
# The simulated subjects are the project's calibrated human-like people: conditional
# cooperators, free riders, hump-shaped givers and fixed givers (Fischbacher, Gächter & Fehr
# 2001), who form beliefs from what their last group-mates gave (Fischbacher & Gächter 2010)
# and also learn from their own earnings. Their settings:

# %%
pd.Series(behaviour.to_dict(), name="value").to_frame()

# %%
lab = run_lab(design, behaviour, seed=1)
print("repeat meetings within a treatment:", lab.repeat_meetings(), "(perfect strangers)")

fig, ax = plt.subplots(figsize=(6.5, 3.5))
periods = np.arange(1, design.periods + 1)
final = {}
for name, colour in (("without_punishment", "tab:red"), ("with_punishment", "tab:blue")):
    mean, lo, hi = mean_ci(lab.session_trajectories(name))
    lo, hi = np.clip(lo, 0, design.endowment), np.clip(hi, 0, design.endowment)
    ax.plot(periods, mean, marker="o", color=colour, label=name.replace("_", " "))
    ax.fill_between(periods, lo, hi, color=colour, alpha=0.15)
    final[name] = mean[-1]
ax.set_ylim(0, design.endowment)
ax.set_xlabel("period of the treatment")
ax.set_ylabel("mean contribution (MU)")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("The simulated laboratory (bands: 95% intervals over the 10 sessions)")
ax.legend()
plt.show()
for name, value in final.items():
    print(f"{name.replace('_', ' ')}: {value:.1f} MU in the last period")

# %% [markdown]
# The bands are Student-t 95% intervals of the mean over the ten sessions, cut at 0 and 20 MU
# (a mean contribution cannot leave that range). Without punishment cooperation decays; with
# punishment it is sustained, as in the laboratory: compare the two numbers under the figure.
# The long table has one row per subject and period, the shape of the original data set:

# %%
lab.to_frame().head(8)

# %% [markdown]
# ## The Fowler & Christakis analysis
#
# Because groups are re-matched, the sequence of groups forms a network in time: A meets B in
# period $t$, B meets C in $t+1$, and C never met A. Fowler & Christakis (2010, *PNAS*
# 107:5334) regressed each subject's contribution on the mean contribution of her previous
# group-mates (**one degree**), of *their* previous group-mates she never met (**two
# degrees**) and one step further (**three degrees**), controlling for her own previous
# contribution and the period. They published about 0.19 MU more per MU at one degree, 0.07
# at two and 0.06 at three: the behaviour travels to strangers.
#
# Subjects of one session meet each other again and again, so their choices are not
# independent; the intervals below are *clustered by session* (they allow for that), which
# makes them wider than if every row were a separate person.
# `sim.analysis.cascade.influence` runs the regressions on the simulated laboratory.

# %%
fits = influence(panel(lab), degrees=(1, 2, 3), spec="mean", cluster="session")
published = {1: 0.19, 2: 0.07, 3: 0.06}
table = pd.DataFrame(
    [{"treatment": name.replace("_", " "), "degree": d, "estimate": fit.estimate,
      "ci_low": fit.ci[0], "ci_high": fit.ci[1], "published": published[d]}
     for name, by_degree in fits.items() for d, fit in by_degree.items()]
)
table.round(3)

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for k, (name, colour) in enumerate((("without punishment", "tab:red"),
                                    ("with punishment", "tab:blue"))):
    rows = table[table["treatment"] == name]
    x = rows["degree"] + (k - 0.5) * 0.35
    ax.bar(x, rows["estimate"], 0.35, color=colour, alpha=0.7, label=name)
    ax.errorbar(x, rows["estimate"], yerr=[rows["estimate"] - rows["ci_low"],
                                           rows["ci_high"] - rows["estimate"]],
                fmt="none", color="black", capsize=3)
ax.scatter(list(published), list(published.values()), marker="D", color="black", zorder=3,
           label="Fowler & Christakis 2010")
ax.axhline(0, color="grey", lw=0.8)
ax.set_xticks([1, 2, 3], ["1 degree", "2 degrees", "3 degrees"])
ax.set_ylabel("MU more per MU the contacts gave")
ax.set_title("Influence by degree of separation (bars: 95% intervals)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# At one degree the interval lies above zero in both treatments: what a subject's last
# group-mates gave moves what she gives. Further out the intervals are wide: with 10 sessions,
# as in the original, try `design.replace(sessions=100)` and see them shrink.

# %% [markdown]
# ## The causal cascade
#
# The regressions are observational: they show that contributions move together, not that one
# causes the other. A simulation can do what the experiment could not: play the same world
# twice with **common random numbers** (the same subjects, the same matching, the same random
# draws), and in the second run let one subject give **one extra MU in period 1**. Every
# difference between the runs is then caused by that gift. `paired_runs` plays the pairs;
# `causal_cascade` sorts the differences by *temporal degree* (the wave of the cascade that
# first reached each subject) and sums them into the **multiplier**: the extra MU everybody
# else gives over the rest of the session per MU of the gift. Fowler & Christakis estimated,
# by arithmetic on their coefficients, that each extra MU is "tripled".

# %%
paired = paired_runs(design, behaviour, seed=2, pairs=1000, extra=1.0, period=0)
cascade = causal_cascade(paired)
print(f"multiplier {cascade.estimate:.2f} (95% interval {cascade.ci[0]:.2f} to "
      f"{cascade.ci[1]:.2f}) over {cascade.pairs} paired worlds")
print("total change of everyone the cascade had not reached:", cascade.unreached_total)

fig, ax = plt.subplots(figsize=(7, 3.5))
session_periods = np.arange(1, design.total_periods + 1)
bottom = np.zeros(design.total_periods)
for label, row in zip(cascade.degrees, cascade.by_degree, strict=True):
    ax.bar(session_periods, row, bottom=bottom,
           label="the giver herself" if label == "giver" else f"degree {label}")
    bottom += row
ax.set_ylim(min(0.0, cascade.by_degree.min()), 1.1 * max(bottom.max(), 1e-9))
ax.axvline(design.periods + 0.5, color="grey", ls="--", lw=0.8)
ax.set_xlabel("period of the session (the dashed line: the treatment changes)")
ax.set_ylabel("extra MU per MU given")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("Where the extra MU of one gift goes")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The gift reaches the giver's three group-mates first, then the people they meet, and so on.
# Nobody the cascade has not reached changes at all: the second line printed above is exactly
# 0, as it must be when the two runs share every random draw. Compare the multiplier and its
# interval with the "tripled" of Fowler & Christakis; `cascade experiment fowler-christakis`
# reports both at full size.

# %% [markdown]
# ## Your turn: the share of conditional cooperators
#
# Conditional cooperators are the ones who pass a gift on. Change their share (the free riders
# make up the difference; hump-shaped and fixed givers keep their shares) and watch the
# multiplier. Move the slider when you run the notebook yourself; the figure below sweeps a
# range of shares.

# %%
def multiplier(share_conditional: float, pairs: int = 400, seed: int = 3):
    """The causal multiplier of a population with this share of conditional cooperators."""
    free_riders = max(0.0, 1.0 - share_conditional - behaviour.share_hump - behaviour.share_other)
    variant = behaviour.replace(share_conditional=share_conditional, share_free_rider=free_riders)
    return causal_cascade(paired_runs(design, variant, seed=seed, pairs=pairs))


def show(share_conditional=0.5):
    result = multiplier(share_conditional)
    print(f"{share_conditional:.0%} conditional cooperators: multiplier {result.estimate:.2f} "
          f"(95% interval {result.ci[0]:.2f} to {result.ci[1]:.2f})")


slider = widgets.interact(show, share_conditional=widgets.FloatSlider(
    value=0.5, min=0.0, max=0.8, step=0.05, description="conditional", continuous_update=False))

# %%
shares = np.linspace(0.0, 0.8, 5)
results = [multiplier(s) for s in shares]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.errorbar(shares, [r.estimate for r in results],
            yerr=np.array([[r.estimate - r.ci[0], r.ci[1] - r.estimate] for r in results]).T,
            marker="o", capsize=3)
ax.set_xlabel("share of conditional cooperators")
ax.set_ylabel("extra MU per MU given")
ax.set_title("Multiplier of one extra MU (bars: 95% intervals, 400 pairs each)")
plt.show()

# %% [markdown]
# Read the figure with its intervals: where two intervals overlap, 400 pairs cannot tell the
# two shares apart. Raise `pairs` in `multiplier` to sharpen them (it costs time).

# %% [markdown]
# ## Exercises
#
# **1. (advanced) "Tripled" by arithmetic.** Fowler & Christakis turned their coefficients
# into a multiplier by counting people: 3 group-mates at one degree, 9 at two, 27 at three, so
# $3b_1 + 9b_2 + 27b_3$. That needs coefficients *per contact*: run `influence` on `panel(lab)`
# with `spec="dyadic"`, do the arithmetic for each treatment, and compare it with the causal
# multiplier above.
#
# <details><summary>Answer</summary>
#
# `answer_1()` prints both. They measure different things. The regressions measure how
# contributions move *together*, and the arithmetic treats every contact at every degree as a
# separate channel that adds up; the paired runs count what one gift actually *causes*, once,
# by following it. The answer also says whether the arithmetic's figure falls inside the causal
# multiplier's 95% interval.
# </details>

# %%
# your code here

# %% [answer]
def answer_1():
    """The arithmetic on per-contact coefficients, against the causal multiplier."""
    fits = influence(panel(lab), (1, 2, 3), spec="dyadic")
    low, high = cascade.ci
    out = {"causal": cascade.estimate, "causal_ci": [low, high]}
    for name, by_degree in fits.items():
        arithmetic = sum(3 ** d * by_degree[d].estimate for d in (1, 2, 3))
        inside = "inside" if low <= arithmetic <= high else "outside"
        print(f"{name.replace('_', ' ')}: 3 b1 + 9 b2 + 27 b3 = {arithmetic:.2f} "
              f"({inside} the causal interval)")
        out[name] = arithmetic
    print(f"causal multiplier: {cascade.estimate:.2f} (95% interval {low:.2f} to {high:.2f})")
    return out


# %% [markdown]
# **2. When is a gift worth most?** Give the extra MU in period 1 (`period=0`), period 4
# (`period=3`), period 7 (`period=6`, the first period of the second treatment), period 10
# (`period=9`) and the last period of the session (`period=11`). How does the multiplier
# change, and why?
#
# <details><summary>Answer</summary>
#
# `answer_2()` prints the five multipliers. A gift in the session's last period is worth
# exactly nothing to the others: the multiplier counts what they give *after* the gift, and
# there is no later period. More generally a later gift has fewer periods left to travel, so a
# gift in period 1 does more than one in period 10. A gift at the start of the second
# treatment gets a fresh block of six periods, and people who expect punishment respond more.
# </details>

# %%
# your code here

# %% [answer]
def answer_2():
    """The multiplier of a gift in five different periods."""
    out = {}
    for period in (0, 3, 6, 9, 11):
        result = causal_cascade(paired_runs(design, behaviour, seed=2, pairs=1000,
                                            period=period))
        print(f"gift in period {period + 1:2d}: multiplier {result.estimate:.2f} "
              f"(95% interval {result.ci[0]:.2f} to {result.ci[1]:.2f})")
        out[period + 1] = result.estimate
    return out


# %% [markdown]
# **3. (advanced) Who passes the gift on?** `paired.difference` is an array of shape
# (pairs, periods, subjects): the extra MU each subject gave in the second run. Split its sum
# by the responder's type (`paired.baseline.sessions.kind`, shape (pairs, subjects); names in
# `TYPE_NAMES`) and by treatment (`paired.baseline.sessions.punish`, shape (pairs, periods)),
# leaving out the giver herself. NumPy's *broadcasting* stretches the two smaller arrays to
# the shape of the differences (`kind[:, None, :]` adds the missing periods axis). Which types
# carry the cascade without punishment, and what changes with punishment?
#
# <details><summary>Answer</summary>
#
# `answer_3()` prints the table. Without punishment the conditional cooperators carry the
# cascade: they give what they expect, and the gift raised what they expect. Free riders
# barely respond. With punishment the free riders respond too: in fear of sanctions they move
# towards what they expect the others to give, and that expectation carries the gift.
# </details>

# %%
# your code here

# %% [answer]
def answer_3():
    """Extra MU per gift by the responder's type and the treatment (the giver left out)."""
    diff = paired.difference
    kind = np.broadcast_to(paired.baseline.sessions.kind[:, None, :], diff.shape)
    punish = np.broadcast_to(paired.baseline.sessions.punish[:, :, None] == 1, diff.shape)
    others = np.ones(diff.shape, bool)
    others[np.arange(paired.pairs), :, paired.giver] = False
    rows = [{"type": name, "treatment": "with punishment" if p else "without punishment",
             "extra MU per gift": diff[(kind == k) & (punish == p) & others].sum() / paired.pairs}
            for k, name in TYPE_NAMES.items() for p in (False, True)]
    table = pd.DataFrame(rows).pivot(index="type", columns="treatment",
                                     values="extra MU per gift")
    print(table.round(3))
    return table.to_dict()
