# %% [markdown]
# # 1. Quickstart: the public-goods game
#
# **Learning goals.** After this notebook you can
#
# 1. write down the payoff of the public-goods game and say why it is a social dilemma;
# 2. play one run of the simulation with `sim.Simulation` and plot what happened;
# 3. build the same world as a Mesa model, step it, and read its agents and its `DataCollector`.
#
# **What you need.** Basic Python (lists, loops, functions, a `for` over a dictionary) and the
# idea of a game in which each player's payoff depends on what everybody does. Every other
# term is explained where it first appears. Run the cells from top to bottom (in JupyterLab:
# *Run > Run All Cells*); `notebooks/README.md` says how to open the notebooks.
#
# **Exercises** are at the end. Each has a hidden answer: a short explanation you unfold, and
# a function `answer_1()`, `answer_2()`, ... that you call yourself when you want its numbers
# (running all cells never prints an answer).

# %%
# Setup: the project's package must be importable (see notebooks/README.md if this fails).
try:
    import sim  # noqa: F401
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "The package 'sim' was not found: open this notebook with the project's environment "
        "as the kernel, or install the project first (notebooks/README.md)") from None

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from sim import Simulation, SimulationConfig
from sim.rules import RULES

# %% [markdown]
# ## The game
#
# Each round every member $i$ of a group $g$ receives an **endowment** $E$: 20 **monetary
# units (MU)**, the game's money. She puts a **contribution** $x_i$ between 0 and $E$ into a
# common pot and keeps the rest. The pot is multiplied by $r$ and shared equally, so her
# **payoff** (what she earns this round) is
#
# $$\pi_i \;=\; E - x_i + \frac{r}{|g|} \sum_{j \in g} x_j ,$$
#
# where $|g|$ is the number of members and the sum runs over everyone in the group, herself
# included. The **marginal per-capita return** $\mathrm{MPCR} = r/|g|$ is what one MU in the
# pot gives back to *each* member. Giving one MU costs you 1 and returns MPCR to you, so when
# $\mathrm{MPCR} < 1$ giving nothing is best for you whatever the others do: in game-theory
# words it is a *dominant strategy*, and everyone giving nothing is the *Nash equilibrium*.
# But the group as a whole gets $|g| \cdot \mathrm{MPCR} = r$ back for every MU, so when
# $\mathrm{MPCR} > 1/|g|$ everyone is better off if everyone gives everything. Between those
# two bounds the game is a **social dilemma**: what is best for each is worst for all. The
# Fehr & Gächter (2002) laboratory used groups of four with MPCR 0.4, and that is the default
# here.
#
# The smallest possible world: eight people in two fixed groups of four, one round.

# %%
tiny = Simulation(SimulationConfig(n=8, groups="partition", group_size=4, rounds=1), seed=3)
tiny.step()
kind, value = tiny.config.share_mode  # ("mpcr", 0.4): the return is given as an MPCR
print(f"MPCR {value:g}, endowment {tiny.config.endowment:g} MU")
for g in range(tiny.groups.n_groups):
    members = tiny.groups.members_of(g)
    print(f"group {g}: people {members.tolist()}")
    print("   gave  ", np.round(tiny.contribution[members], 2).tolist())
    print("   earned", np.round(tiny.payoff[members], 2).tolist())

# %% [markdown]
# Check the engine against the equation, group by group:

# %%
E, mpcr = tiny.config.endowment, value
for g in range(tiny.groups.n_groups):
    members = tiny.groups.members_of(g)
    x = tiny.contribution[members]
    by_hand = E - x + mpcr * x.sum()
    assert np.allclose(by_hand, tiny.payoff[members])
print("every payoff matches E - x_i + MPCR * (sum of the group's contributions)")

# %% [markdown]
# ## One run on a network
#
# Now 1,000 people on a **small-world network**: each is tied to about four others, mostly
# neighbours on a ring plus a few long-range shortcuts (Watts & Strogatz 1998). With the
# default `groups="neighbourhood"` every person plays one game centred on herself (with her
# contacts) and one centred on each contact (Santos, Santos & Pacheco 2008), so a person with
# four contacts plays five games a round, each with its own endowment.
#
# How do people decide what to give? The default **rule** is printed below. It mixes the
# *types* found in the laboratory (Fischbacher, Gächter & Fehr 2001): **conditional
# cooperators** give roughly what they expect the others to give, **free riders** lean to
# giving nothing, **hump-shaped** givers match small contributions but not large ones, and the
# rest give a fixed amount of their own. The `human` rule also learns from its own earnings:
# what paid off last round is tried again. The shares of the types are settings of the run:

# %%
config = SimulationConfig(n=1000, network="small-world", degree=4, rounds=40)
print(f"rule {config.rule!r}: {RULES[config.rule].summary}")
shares = {"conditional cooperators": config.share_conditional,
          "free riders": config.share_free_rider, "hump-shaped": config.share_hump}
shares["fixed givers"] = 1 - sum(shares.values())
for name, share in shares.items():
    print(f"  {share:4.0%} {name}")

history = Simulation(config, seed=1).run()
frame = history.to_frame()
frame.head()

# %% [markdown]
# `to_frame()` gives one row per round: the **mean contribution** (MU a person gives in each
# game, on average), **welfare** (the mean payoff: MU a person earns in the round, all her
# games together), the **Gini** coefficient of payoffs (0: everyone earns the same, 1: one
# person earns everything) and **cooperators** (the share of people giving at least half the
# endowment).

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
ax.plot(frame["round"], frame["mean_contribution"], marker=".", label="mean contribution")
ax.plot(frame["round"], frame["cooperators"] * config.endowment, ls="--",
        label="share giving at least E/2, times E")
ax.set_xlabel("round")
ax.set_ylabel("MU a person gives per game")
ax.set_ylim(0, config.endowment)
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend()
ax.set_title("What people give, round by round")
plt.show()
first, last = frame["mean_contribution"].iloc[0], frame["mean_contribution"].iloc[-1]
print(f"mean contribution: {first:.2f} MU in round 1, {last:.2f} MU in round {len(frame)}")

# %% [markdown]
# Compare the two numbers printed under the figure: giving ends far below where it started.
# Conditional cooperators expect a little less than they saw and give a little less than they
# expect, free riders give little, and whoever gave more than her group earned less than the
# others in it, so the average drifts down. This **decay of cooperation** is seen in every
# laboratory public-goods game without punishment (Fischbacher & Gächter 2010).

# %% [markdown]
# ## The same world as a Mesa model
#
# [Mesa](https://mesa.readthedocs.io) is a Python library for agent-based models: a `Model`
# holds `Agent`s and advances them step by step. `models.public_goods.PublicGoodsModel` is a
# Mesa model with one agent per network node and a `DataCollector` (Mesa's recorder of
# per-step values). Its rounds run in the same engine, so with an integer `rng` (Mesa's name
# for the seed) it plays exactly the rounds of `Simulation(config, seed=rng)`.

# %%
from models.public_goods import PublicGoodsModel

model = PublicGoodsModel(rng=1, config=config)
model.run_model()  # plays config.rounds rounds: model.running turns False after the last

same = Simulation(config, seed=1).run()
assert np.array_equal(model.history().mean_contribution, same.mean_contribution)
print(len(model.agents), "agents;", model.engine.round, "rounds played;",
      "identical to the engine run")
model.datacollector.get_model_vars_dataframe().tail()

# %% [markdown]
# Each agent is a view onto the engine's arrays: `contribution` and `payoff` are those of the
# round just played, `kind` is its type, `neighbours` are agents too.

# %%
agent = model.agent_at(0)
print("node", agent.node, "is a", agent.kind)
print(f"gave {agent.contribution:.2f} MU, earned {agent.payoff:.2f} MU")
for other in agent.neighbours:
    print(f"  neighbour {other.node:4d} ({other.kind}): gave {other.contribution:.2f}")

# %% [markdown]
# The `DataCollector` also recorded every agent's contribution each step. Joining it with the
# agents' types (pandas' `map` looks each agent's type up by its id) shows who gives what:

# %%
agents = model.datacollector.get_agent_vars_dataframe().reset_index()
kinds = {a.unique_id: a.kind for a in model.agents}
agents["kind"] = agents["AgentID"].map(kinds)
by_kind = agents.groupby(["Step", "kind"])["contribution"].mean().unstack()

ax = by_kind.plot(figsize=(6.5, 3.5), marker=".")
ax.set_xlabel("round")
ax.set_ylabel("MU given per game (mean of the type)")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("What each type gives")
plt.show()
overall = agents.groupby("kind")["contribution"].mean().sort_values()
print("mean contribution over the whole run, by type (MU):")
print(overall.round(2).to_string())

# %% [markdown]
# The table under the figure ranks the types by what they gave over the run: the free riders
# are at the bottom, yet not at zero. Decision noise and learning from their own earnings (a
# round in which giving happened to pay is tried again) keep even them giving a little; the
# fixed givers (the type called `other`) hold up the average.

# %% [markdown]
# ## Exercises
#
# **1. Does a better return make people give more?** Play the run above with `mpcr=0.25` and
# with `mpcr=0.9` for each of three rules: `"human"` (the default), `"conditional"` (the same
# people without learning from their own earnings) and `"fermi"` (people who copy a contact
# who earned more: *payoff-driven imitation*). Compare the final mean contributions. Why do
# the rules react so differently?
#
# <details><summary>Answer</summary>
#
# Run `answer_1()` in a cell to see the numbers. Under `conditional` the final contribution
# is exactly the same for both returns: these people respond only to what their co-players
# *gave*, never to what anyone *earned*, so the return changes payoffs (welfare) but not
# behaviour. The two rules that learn from earnings give more with the higher return, because
# then giving pays: `fermi` people copy whoever earned more, and clusters of givers out-earn
# their neighbours; `human` people repeat what paid off, a milder push.
# </details>

# %%
# your code here

# %% [answer]
def answer_1():
    """Final mean contribution and welfare for three rules and two returns."""
    rows = {}
    for rule in ("human", "conditional", "fermi"):
        for m in (0.25, 0.9):
            h = Simulation(config.replace(rule=rule, mpcr=m, rounds=60), seed=1).run()
            rows[f"{rule}, MPCR {m}"] = {"final contribution": h.mean_contribution[-1],
                                         "final welfare": h.welfare[-1]}
            print(f"{rule:12s} MPCR {m:4}: final mean contribution "
                  f"{h.mean_contribution[-1]:5.2f} MU, final welfare {h.welfare[-1]:6.1f} MU")
    return rows


# %% [markdown]
# **2. One agent's payoff by hand.** In the network game agent 0 plays several games (its
# own and one per neighbour). Use `model.engine.groups.groups_of(0)` (the games agent 0 is in)
# and `model.engine.groups.members_of(g)` (who plays game `g`) to list them and recompute its
# payoff from the equation.
#
# <details><summary>Answer</summary>
#
# Its payoff is the sum over its games of $E - x_0 + \mathrm{MPCR}\sum_{j\in g}x_j$: each game
# has its own endowment (the default "per-game" cost). `answer_2()` does the sum and checks it
# against the engine.
# </details>

# %%
# your code here

# %% [answer]
def answer_2():
    """Agent 0's payoff, game by game, against the engine's."""
    engine = model.engine
    games = engine.groups.groups_of(0)
    total = 0.0
    for g in games:
        members = engine.groups.members_of(g)
        total += (E - engine.contribution[0]
                  + model.config.share_mode[1] * engine.contribution[members].sum())
    print(f"{len(games)} games; by hand {total:.4f} MU, engine {engine.payoff[0]:.4f} MU")
    return {"games": len(games), "by hand": total, "engine": engine.payoff[0]}


# %% [markdown]
# **3. Who earns most in a game?** In the tiny world at the top, compare, group by group, who
# gave least and who earned most. Is it the same person? Would it be, whatever the others did?
#
# <details><summary>Answer</summary>
#
# `answer_3()` prints each group. In every group the one who gave least earns most. It has to
# be: everyone in a group gets the same share of the pot, so the only difference between two
# members' payoffs is what each kept, $E - x_i$. That is the dilemma in one line: within a
# game, giving less always pays more, yet groups who give more all earn more.
# </details>

# %%
# your code here

# %% [answer]
def answer_3():
    """Per group of the tiny world: who gave least and who earned most."""
    out = {}
    for g in range(tiny.groups.n_groups):
        members = tiny.groups.members_of(g)
        least = int(members[np.argmin(tiny.contribution[members])])
        richest = int(members[np.argmax(tiny.payoff[members])])
        print(f"group {g}: gave least: person {least}; earned most: person {richest}")
        out[g] = {"gave least": least, "earned most": richest}
    return out
