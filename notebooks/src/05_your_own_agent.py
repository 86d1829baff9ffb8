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
# **What you need.** Notebook 1 and Python classes: a *subclass* takes everything from its
# parent class and replaces the methods it redefines (here, one method: `decide`). The model
# is `models.public_goods.PublicGoodsModel` (see `models/public_goods/README.md`). Its games
# are played by the engine; only the decisions you write run in Python.

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
from matplotlib import colormaps
from matplotlib.ticker import MaxNLocator

from models.public_goods import PublicGoodsAgent, PublicGoodsModel, PythonFermiAgent

SETTINGS = dict(n=300, network="small-world", degree=4, rounds=30)

# %% [markdown]
# ## How an agent decides
#
# Every round after the first, the model calls `decide()` on every agent, collects the
# answers, and only then applies them all (**synchronous updating**: nobody sees anybody's new
# decision before deciding): `decide()` sees the round just played and *returns* a
# contribution between 0 and the endowment $E$. Inside it an agent can read
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
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("Reciprocators against the built-in conditional cooperators")
ax.legend()
plt.show()
for label, model in (("Reciprocator", mine), ("conditional", builtin)):
    given = model.history().mean_contribution
    print(f"{label:13s} round 1: {given[0]:.2f} MU, round {len(given)}: {given[-1]:.2f} MU")

# %% [markdown]
# Same network, same seed, different rules. Our reciprocators all give 90% of what they saw,
# so each round the average keeps about 90% of the last: cooperation shrinks towards zero
# (compare the first and last rounds printed above). The built-in `conditional` people are a
# mixture (conditional cooperators, free riders, hump-shaped and fixed givers, with beliefs
# and noise): the fixed givers and the noise keep their average away from zero.

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
# Mesa draws a model in the notebook with [Solara](https://solara.dev) widgets: the network
# with each agent coloured by what it gives (red nothing, green everything), a chart of the
# mean contribution, **Reset**, **▶** (play) and **Step** buttons, and sliders for the
# settings (moved sliders take effect on Reset). The view needs a live kernel: run the
# notebook yourself to use it.
#
# Mesa's `SolaraViz(model, renderer, components=..., model_params=...)` lays these parts out
# as a full page: a sidebar (folded behind the ☰ button when inline) and tabs of draggable
# panels, whose script the Jupyter server must supply. The cell below puts the same Mesa parts
# one under the other instead, so that they show at once and need nothing beyond the widgets
# themselves: no internet, no Jupyter server extension. (`SolaraViz` with the same arguments
# still works in JupyterLab installed in the project's environment, and it is what
# `cascade viz` serves.)

# %%
import solara
from mesa.visualization import Slider, SpaceRenderer, make_plot_component
from mesa.visualization.components import AgentPortrayalStyle
from mesa.visualization.solara_viz import (
    ModelController,
    ModelCreator,
    SpaceRendererComponent,
)
from mesa.visualization.utils import update_counter

colour_map = colormaps["RdYlGn"]


def portrayal(agent):
    share = agent.contribution / agent.config.endowment
    r, g, b, _ = colour_map(share)
    return AgentPortrayalStyle(color=(r, g, b), size=40)


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
    .setup_structure(edge_kwargs={"alpha": 0.3}, node_kwargs={"alpha": 0})  # the ties only
    .setup_agents(portrayal)  # the agents, coloured by portrayal()
)
renderer.render()
chart, _page = make_plot_component("mean_contribution")


@solara.component
def Round(model):
    update_counter.get()  # Mesa moves this counter after every step: redraw then
    solara.Text(f"round {model.engine.round} of {model.config.rounds}")


@solara.component
def Chart(model):
    update_counter.get()
    chart(model)


@solara.component
def ReciprocatorView():
    """Mesa's controls, settings, network drawing and chart, one under the other."""
    model = solara.use_reactive(view_model)
    drawing = solara.use_reactive(renderer)
    settings = solara.use_reactive({})
    with solara.Card("Reciprocators on a small world", classes=["reciprocator-view"]):
        ModelController(model, renderer=drawing, model_parameters=settings,
                        play_interval=solara.use_reactive(150),
                        render_interval=solara.use_reactive(1),
                        use_threads=solara.use_reactive(False))
        Round(model.value)
        ModelCreator(model, model_params, model_parameters=settings)
        with solara.Row(style={"flex-wrap": "wrap"}):
            with solara.Column(style={"width": "420px"}):
                SpaceRendererComponent(model.value, drawing.value)
            with solara.Column(style={"width": "420px"}):
                Chart(model.value)


page = ReciprocatorView()
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
# `answer_1()` prints both runs at rounds 1, 6, 11 and 30. With `slope = 1` the mean
# contribution stays close to where it started: each agent takes the average of its
# neighbours, so contributions even out but the total barely shrinks. With free riders in the
# mix it collapses towards 0: every reciprocator next to a free rider sees less than the
# average, gives less, and passes the loss on.
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


def answer_1():
    """Mean contribution of perfect reciprocators, without and with free riders."""
    out = {}
    for cls in (FairReciprocator, FairWithFreeRiders):
        model = PublicGoodsModel(rng=1, agent_class=cls, **SETTINGS)
        model.run_model()
        given = model.history().mean_contribution
        print(f"{cls.__name__:20s} rounds 1, 6, 11, 30:", np.round(given[[0, 5, 10, 29]], 2))
        out[cls.__name__] = given.tolist()
    return out


# %% [markdown]
# **2. Imitate the best, in Python.** Write an agent that copies the contribution of the
# best-earning agent among itself and its neighbours (keeping its own on ties, and taking the
# first neighbour in `self.neighbours` order when neighbours tie): the rule of Nowak & May
# (1992). Compare it with the built-in `rule="imitate-best"` with `mutation=0.0` (no random
# exploration). Are the trajectories the same?
#
# <details><summary>Answer</summary>
#
# Yes, exactly the same: the built-in kernel does the same thing (copy a strictly better
# earner, the first one on ties), and with `mutation=0.0` there are no random numbers to
# differ. `answer_2()` compares every agent in every round.
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


def answer_2():
    """Python imitate-the-best against the built-in rule, agent by agent, round by round."""
    python_best = PublicGoodsModel(rng=3, rule="imitate-best", mutation=0.0,
                                   agent_class=BestImitator, record_agents=True, **SETTINGS)
    python_best.run_model()
    numba_best = PublicGoodsModel(rng=3, rule="imitate-best", mutation=0.0,
                                  record_agents=True, **SETTINGS)
    numba_best.run_model()
    same = np.array_equal(python_best.history().contributions,
                          numba_best.history().contributions)
    print("every agent, every round identical:", same)
    return {"identical": bool(same)}


# %% [markdown]
# **3. A few committed givers.** Back to `Reciprocator` with `slope = 0.9`: make one agent in
# ten (`self.node % 10 == 0`) give the whole endowment every round. Does that save
# cooperation?
#
# <details><summary>Answer</summary>
#
# Yes: `answer_3()` prints the run beside the plain reciprocators. Instead of decaying towards
# 0 the mean contribution settles well above it. The committed givers are a constant source;
# their neighbours give 90% of what they see, their neighbours' neighbours 90% of that, and
# the losses are replenished every round. Notebook 4 looks at where such a campaign team is
# best placed in the network.
# </details>

# %%
# your code here

# %% [answer]
class WithCommittedGivers(Reciprocator):
    def decide(self) -> float:
        if self.node % 10 == 0:
            return self.config.endowment
        return super().decide()


def answer_3():
    """Reciprocators with one committed giver in ten, beside plain reciprocators."""
    model = PublicGoodsModel(rng=1, agent_class=WithCommittedGivers, **SETTINGS)
    model.run_model()
    with_givers = model.history().mean_contribution
    plain = mine.history().mean_contribution
    print("rounds 1, 6, 11, 30")
    print("  with committed givers:", np.round(with_givers[[0, 5, 10, 29]], 2))
    print("  plain reciprocators:  ", np.round(plain[[0, 5, 10, 29]], 2))
    return {"with givers": with_givers.tolist(), "plain": plain.tolist()}
