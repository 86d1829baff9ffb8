# %% [markdown]
# # 1. Quickstart: the public-goods game
#
# **Learning goals.** After this notebook you can
#
# 1. write down the payoff of the public-goods game and say why it is a social dilemma;
# 2. play one run of the simulation with `sim.Simulation` and plot what happened;
# 3. build the same world as a Mesa model, step it, and read its agents and its `DataCollector`.
#
# Run the cells from top to bottom with the project's environment as the kernel (`.venv`; see
# `notebooks/README.md`). Every cell calls the package: nothing here re-implements the model.

# %% [markdown]
# ## The game
#
# Each round every member $i$ of a group $g$ receives an endowment $E$ (20 monetary units, MU)
# and puts $x_i \in [0, E]$ into a common pot. The pot is multiplied by $r$ and shared equally:
#
# $$\pi_i \;=\; E - x_i + \frac{r}{|g|} \sum_{j \in g} x_j .$$
#
# The **marginal per-capita return** $\mathrm{MPCR} = r/|g|$ is what one MU in the pot gives
# back to *each* member. Giving one MU costs you 1 and returns MPCR to you, so when
# $\mathrm{MPCR} < 1$ the selfish choice is to give nothing. The group as a whole gets
# $|g| \cdot \mathrm{MPCR} = r$ back for every MU, so when $\mathrm{MPCR} > 1/|g|$ everyone is
# better off if everyone gives everything. Between those bounds the game is a **social
# dilemma**. The Fehr & Gächter (2002) laboratory used groups of four with MPCR 0.4, and that
# is the default here.
#
# The smallest possible world: eight agents in two fixed groups of four, one round.

# %%
import matplotlib.pyplot as plt
import numpy as np

from sim import Simulation, SimulationConfig

tiny = Simulation(SimulationConfig(n=8, groups="partition", group_size=4, rounds=1), seed=3)
tiny.step()
print("MPCR:", tiny.config.share_mode, " endowment:", tiny.config.endowment)
for g in range(tiny.groups.n_groups):
    members = tiny.groups.members_of(g)
    print(f"group {g}: members {members.tolist()}")
    print("   gave  ", np.round(tiny.contribution[members], 2).tolist())
    print("   earned", np.round(tiny.payoff[members], 2).tolist())

# %% [markdown]
# Check the engine against the equation, group by group:

# %%
E, mpcr = tiny.config.endowment, 0.4
for g in range(tiny.groups.n_groups):
    members = tiny.groups.members_of(g)
    x = tiny.contribution[members]
    by_hand = E - x + mpcr * x.sum()
    assert np.allclose(by_hand, tiny.payoff[members])
print("every payoff matches E - x_i + MPCR * (sum of the group's contributions)")

# %% [markdown]
# ## One run on a network
#
# Now 1,000 agents on a small-world network (each with about four contacts). With the default
# `groups="neighbourhood"` every agent plays one game centred on itself and one centred on each
# neighbour (Santos, Santos & Pacheco 2008), so a degree-4 agent plays five games a round.
# The default population is human-like (Fischbacher, Gächter & Fehr 2001): about half are
# *conditional cooperators* who give a little less than they believe their co-players give,
# 30% are *free riders*, 14% are *hump-shaped* and the rest give a fixed amount.

# %%
config = SimulationConfig(n=1000, network="small-world", degree=4, rounds=40)
history = Simulation(config, seed=1).run()
frame = history.to_frame()
frame.head()

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
ax.plot(frame["round"], frame["mean_contribution"], marker=".", label="mean contribution (MU)")
ax.plot(frame["round"], frame["cooperators"] * config.endowment, ls="--",
        label="share giving at least E/2 (x 20)")
ax.set_xlabel("round")
ax.set_ylim(0, config.endowment)
ax.legend()
ax.set_title("Conditional cooperation decays")
plt.show()
history.summary()

# %% [markdown]
# Contributions fall round after round: conditional cooperators match what they saw minus a
# little, free riders give nothing, and the average drifts down. This is the decay seen in
# every laboratory public-goods game without punishment (Fischbacher & Gächter 2010).

# %% [markdown]
# ## The same world as a Mesa model
#
# `models.public_goods.PublicGoodsModel` is a Mesa model: a `mesa.Model` with one
# `mesa.Agent` per network node, a `DataCollector`, and everything Mesa users expect. Its rounds
# run in the same engine, so with an integer `rng` it plays exactly the rounds of
# `Simulation(config, seed=rng)`.

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
# round just played, `kind` is its behavioural type, `neighbours` are agents too.

# %%
agent = model.agent_at(0)
print("node", agent.node, "is a", agent.kind)
print(f"gave {agent.contribution:.2f} MU, earned {agent.payoff:.2f} MU")
for other in agent.neighbours:
    print(f"  neighbour {other.node:4d} ({other.kind}): gave {other.contribution:.2f}")

# %% [markdown]
# The `DataCollector` also recorded every agent's contribution each step. Joining it with the
# agents' types shows who gives what:

# %%
agents = model.datacollector.get_agent_vars_dataframe().reset_index()
kinds = {a.unique_id: a.kind for a in model.agents}
agents["kind"] = agents["AgentID"].map(kinds)
by_kind = agents.groupby(["Step", "kind"])["contribution"].mean().unstack()

ax = by_kind.plot(figsize=(6.5, 3.5), marker=".")
ax.set_xlabel("step (round)")
ax.set_ylabel("mean contribution (MU)")
plt.show()

# %% [markdown]
# ## Exercises
#
# **1. Does a better return make people give more?** Play the run above with `mpcr=0.25` and
# with `mpcr=0.9`, first with the default `rule="conditional"`, then with `rule="fermi"`
# (agents copy a neighbour who earned more: payoff-driven imitation). Compare the final mean
# contributions. Why do the two rules react so differently?
#
# <details><summary>Answer</summary>
#
# Under `conditional` the final contribution is the same for every MPCR: these agents respond
# to what their co-players *gave*, not to what they *earned*, so the return changes payoffs
# (welfare) but not behaviour. Under `fermi` agents imitate success; a high MPCR makes giving
# pay for groups of cooperators, clusters of givers out-earn their neighbours, and cooperation
# holds (about 7.8 MU against under 1 MU with MPCR 0.25). The hidden cell below (click the
# bar to reveal it) runs the comparison.
# </details>

# %%
# your code here

# %% [answer]
for rule in ("conditional", "fermi"):
    for m in (0.25, 0.9):
        h = Simulation(config.replace(rule=rule, mpcr=m, rounds=60), seed=1).run()
        print(f"{rule:12s} MPCR {m:4}: final mean contribution {h.mean_contribution[-1]:5.2f}, "
              f"final welfare {h.welfare[-1]:6.1f}")

# %% [markdown]
# **2. One agent's payoff by hand.** In the network game agent 0 plays several games (its
# own and one per neighbour). Use `model.engine.groups.groups_of(0)` and
# `model.engine.groups.members_of(g)` to list them and recompute its payoff from the equation.
#
# <details><summary>Answer</summary>
#
# Its payoff is the sum over its games of $E - x_0 + \mathrm{MPCR}\sum_{j\in g}x_j$: each game
# has its own endowment (the default "per-game" cost). The hidden cell checks it.
# </details>

# %%
# your code here

# %% [answer]
engine = model.engine
games = engine.groups.groups_of(0)
total = 0.0
for g in games:
    members = engine.groups.members_of(g)
    total += E - engine.contribution[0] + 0.4 * engine.contribution[members].sum()
print(f"{len(games)} games; by hand {total:.4f}, engine {engine.payoff[0]:.4f}")
assert np.isclose(total, engine.payoff[0])

# %% [markdown]
# **3. Who earns most?** Using the agent table above, compare each type's mean *payoff* in
# the last round. Which type earns most, and what does that say about the dilemma?
#
# <details><summary>Answer</summary>
#
# Free riders earn the most: they keep their endowment and still get their share of what the
# others put in. That is the dilemma: what is best for each is worst for all, and payoff-driven
# learning (exercise 1) would spread free riding unless giving pays, as with a high MPCR.
# </details>

# %%
# your code here

# %% [answer]
agents["payoff"] = agents["payoff"].astype(float)
last = agents[agents["Step"] == agents["Step"].max()]
print(last.groupby("kind")["payoff"].mean().sort_values(ascending=False).round(2))
