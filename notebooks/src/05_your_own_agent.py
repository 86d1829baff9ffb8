# %% [markdown]
# # 5. Write your own agent
#
# **Learning goals.** After this notebook you can
#
# 1. explain how the Mesa model asks its agents for their next contribution (`decide()`), and
#    why they all decide at once (synchronous updating);
# 2. write an agent's decision rule in Python, using what it can see: its own contribution and
#    payoff, and its neighbours';
# 3. compare your rule with a built-in one on the same network and seed, and check that a
#    Python twin of a built-in rule reproduces it exactly;
# 4. watch your agents in Mesa's interactive view, inline.
#
# The model is `models.public_goods.PublicGoodsModel` (see its `README.md`). Its games are
# played by the engine; only the decisions you write run in Python.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps

from models.public_goods import PublicGoodsAgent, PublicGoodsModel, PythonFermiAgent

SETTINGS = dict(n=300, network="small-world", degree=4, rounds=30)

# %% [markdown]
# ## How an agent decides
#
# Every round after the first, the model calls `decide()` on every agent, collects the
# answers, and only then applies them all (synchronous updating): `decide()` sees the round
# just played and *returns* a contribution in $[0, E]$. Inside it an agent can read
#
# - `self.contribution`, `self.payoff`: what it gave and earned in the round just played;
# - `self.neighbours`: the agents it is tied to (each with the same attributes);
# - `self.config`: the run's settings (`self.config.endowment` is $E$);
# - `self.draw(stream)` and `self.random_neighbour()`: the engine's own random numbers.
#
# Our first agent is a **reciprocator**: it gives a fraction `slope` of what its neighbours
# gave on average. With `slope` below 1 it is an *imperfect* conditional cooperator, the kind
# Fischbacher & Gächter (2010) found in the laboratory.

# %%
class Reciprocator(PublicGoodsAgent):
    """Gives `slope` times the mean contribution of its neighbours last round."""

    slope = 0.9

    def decide(self) -> float:
        others = self.neighbours
        if not others:  # an isolated agent keeps what it did
            return self.contribution
        seen = sum(other.contribution for other in others) / len(others)
        return min(self.config.endowment, self.slope * seen)


mine = PublicGoodsModel(rng=1, agent_class=Reciprocator, **SETTINGS)
mine.run_model()
builtin = PublicGoodsModel(rng=1, rule="conditional", **SETTINGS)
builtin.run_model()

fig, ax = plt.subplots(figsize=(6.5, 3.5))
for label, model in (("Reciprocator (Python)", mine), ("rule='conditional' (built in)", builtin)):
    frame = model.datacollector.get_model_vars_dataframe()
    ax.plot(frame.index + 1, frame["mean_contribution"], marker=".", label=label)
ax.set_xlabel("round")
ax.set_ylabel("mean contribution (MU)")
ax.legend()
plt.show()

# %% [markdown]
# Same network, same first round (same seed), different rules. Our reciprocators all give a
# little less than they saw, so cooperation shrinks by 10% a round towards zero. The built-in
# `conditional` population is a mixture (conditional cooperators, free riders, hump-shaped and
# unconditional givers, with beliefs and noise): it falls fast at first and then levels off,
# held up by the unconditional givers.

# %% [markdown]
# ## A Python twin of a built-in rule
#
# `PythonFermiAgent` (in `models/public_goods/agents.py`) is the Fermi imitation rule written
# in plain Python: copy a random neighbour's contribution with probability
# $1/(1 + e^{(P_i - P_j)/K})$ (Szabó & Tőke 1998), then explore with probability `mutation`.
# It draws the engine's own random numbers, so it must reproduce the Numba rule exactly. A
# twin like this is how you check a Python rule before trusting it.

# %%
python_fermi = PublicGoodsModel(rng=7, rule="fermi", agent_class=PythonFermiAgent,
                                record_agents=True, **SETTINGS)
python_fermi.run_model()
numba_fermi = PublicGoodsModel(rng=7, rule="fermi", record_agents=True, **SETTINGS)
numba_fermi.run_model()

# every agent's contribution in every round (rounds x agents)
a = python_fermi.history().contributions
b = numba_fermi.history().contributions
changed = np.count_nonzero(a[-1] != a[0])
print(f"{changed} of {a.shape[1]} agents changed their contribution;",
      "identical in every round:", np.array_equal(a, b))
assert np.array_equal(a, b) and changed > 0

# %% [markdown]
# ## The interactive view
#
# Mesa's `SolaraViz` shows a model in the notebook: the network with each agent coloured by
# what it gives (red nothing, green everything), a chart of the mean contribution, and
# **Step**, **Play** and **Reset** buttons. Sliders change the settings; press Reset to apply
# them. (The view needs a live kernel: run the notebook yourself to use it.) The full policy
# app of `cascade viz` is a SolaraViz page too and shows inline the same way:
# `from models.public_goods.app import Page` and then `Page()` as a cell's last line.

# %%
from mesa.visualization import Slider, SolaraViz, SpaceRenderer, make_plot_component
from mesa.visualization.components import AgentPortrayalStyle

colour_map = colormaps["RdYlGn"]


def portrayal(agent):
    share = agent.contribution / agent.config.endowment
    r, g, b, _ = colour_map(share)
    return AgentPortrayalStyle(color=(r, g, b), size=30)


model_params = {
    "rng": 1,
    "agent_class": Reciprocator,
    "network": "small-world",
    "rounds": 200,
    "collect_agents": False,
    "n": Slider("agents", value=100, min=20, max=300, step=20),
    "degree": Slider("ties per agent", value=4, min=2, max=10, step=2),
}
view_model = PublicGoodsModel(rng=1, agent_class=Reciprocator, network="small-world", n=100,
                              degree=4, rounds=200, collect_agents=False)
renderer = (
    SpaceRenderer(view_model, backend="matplotlib")
    .setup_structure(edge_kwargs={"alpha": 0.3})  # the ties
    .setup_agents(portrayal)  # the agents, coloured by portrayal()
)
renderer.render()
page = SolaraViz(
    view_model,
    renderer,
    components=[make_plot_component("mean_contribution")],
    model_params=model_params,
    name="Reciprocators on a small world",
)
page

# %% [markdown]
# ## Exercises
#
# **1. Perfect reciprocity, and free riders.** Set `slope = 1.0` (a subclass with
# `slope = 1.0` is enough). What happens to the mean contribution? Then make every third agent
# (`self.node % 3 == 0`) a free rider who always returns 0. What happens now, and why?
#
# <details><summary>Answer</summary>
#
# With `slope = 1` the mean contribution stays where it started (about 6.5 MU): each agent
# takes the average of its neighbours, so contributions even out but the total does not
# shrink. With free riders in the mix it collapses to 0 within about ten rounds: every
# reciprocator next to a free rider sees less than the average, gives less, and passes the
# loss on.
# </details>

# %%
# your code here

# %% [answer]
class FairReciprocator(Reciprocator):
    slope = 1.0


class FairWithFreeRiders(FairReciprocator):
    def decide(self) -> float:
        if self.node % 3 == 0:
            return 0.0
        return super().decide()


for cls in (FairReciprocator, FairWithFreeRiders):
    model = PublicGoodsModel(rng=1, agent_class=cls, **SETTINGS)
    model.run_model()
    print(f"{cls.__name__:20s}", np.round(model.history().mean_contribution[[0, 5, 10, 29]], 2))

# %% [markdown]
# **2. Imitate the best, in Python.** Write an agent that copies the contribution of the
# best-earning agent among itself and its neighbours (keeping its own on ties, and taking the
# first neighbour in `self.neighbours` order when neighbours tie): the rule of Nowak & May
# (1992). Compare it with the built-in `rule="imitate-best"` with `mutation=0.0`. Are the
# trajectories the same?
#
# <details><summary>Answer</summary>
#
# Yes, exactly the same: the built-in kernel does the same thing (copy a strictly better
# earner, the first one on ties), and with `mutation=0.0` there are no random numbers to
# differ. The hidden cell asserts it.
# </details>

# %%
# your code here

# %% [answer]
class BestImitator(PublicGoodsAgent):
    def decide(self) -> float:
        best, choice = self.payoff, self.contribution
        for other in self.neighbours:
            if other.payoff > best:
                best, choice = other.payoff, other.contribution
        return choice


python_best = PublicGoodsModel(rng=3, rule="imitate-best", mutation=0.0,
                               agent_class=BestImitator, record_agents=True, **SETTINGS)
python_best.run_model()
numba_best = PublicGoodsModel(rng=3, rule="imitate-best", mutation=0.0, record_agents=True,
                              **SETTINGS)
numba_best.run_model()
same = np.array_equal(python_best.history().contributions, numba_best.history().contributions)
print("every agent, every round identical:", same)
assert same

# %% [markdown]
# **3. A few committed givers.** Back to `Reciprocator` with `slope = 0.9`: make one agent in
# ten (`self.node % 10 == 0`) give the whole endowment every round. Does that save
# cooperation?
#
# <details><summary>Answer</summary>
#
# Yes: instead of decaying to 0 the mean contribution rises to about 10 MU. The committed
# givers are a constant source; their neighbours give 90% of what they see, their neighbours'
# neighbours 90% of that, and the losses are replenished every round. Notebook 4 looks at
# where such a campaign team is best placed in the network.
# </details>

# %%
# your code here

# %% [answer]
class WithCommittedGivers(Reciprocator):
    def decide(self) -> float:
        if self.node % 10 == 0:
            return self.config.endowment
        return super().decide()


model = PublicGoodsModel(rng=1, agent_class=WithCommittedGivers, **SETTINGS)
model.run_model()
print(np.round(model.history().mean_contribution[[0, 5, 10, 29]], 2))
