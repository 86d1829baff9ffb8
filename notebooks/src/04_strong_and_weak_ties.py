# %% [markdown]
# # 4. Strong and weak ties
#
# **Learning goals.** After this notebook you can
#
# 1. build a network of professional **silos** (teams with dense ties inside) and bridge them
#    with a share of ties between teams;
# 2. find the **brokers** who span teams and the **connectors** embedded in them;
# 3. seed a campaign team of committed cooperators in different places and measure how far
#    cooperation reaches beyond the seeded teams, under simple and complex contagion;
# 4. see what **weaving** new ties ("randomised coffee trials") does.
#
# **What you need.** Notebook 1. A *network* is people (nodes) and ties between them; a
# person's *degree* is her number of ties. Granovetter (1973) called ties inside a close
# circle *strong* and ties that bridge circles *weak*, and showed that news travels through
# the weak ones. Centola & Macy (2007, *AJS* 113:702) showed that behaviour needing
# reinforcement from several contacts (**complex contagion**) spreads through wide bridges
# and clustered ties rather than single long ties; behaviour that one contact can pass on is
# **simple contagion**.
#
# The comparison is `cascade experiment ties` (`experiments/ties.py`), run here at a small
# size with the experiment's own functions.

# %%
# Setup: the project's package must be importable (see notebooks/README.md if this fails).
try:
    import sim  # noqa: F401
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "The package 'sim' was not found: open this notebook with the project's environment "
        "as the kernel, or install the project first (notebooks/README.md)") from None

import matplotlib.pyplot as plt
import networkx as nx
import numba
import numpy as np
import pandas as pd

from experiments.ties import EXPERIMENT, run_network, silo_tasks
from sim import Simulation, SimulationConfig
from sim.analysis.roles import network_roles
from sim.analysis.stats import bootstrap_ci
from sim.ties import PLACEMENTS

# %% [markdown]
# ## Silos and bridges
#
# `network="silos"` builds teams of `team_size` people; a share `bridging` of the ties leave
# the team (0: isolated silos, 1: ties at random), and the mean degree stays the same. Three
# bridging shares, 60 people in teams of 12, each colour a team:

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, bridging in zip(axes, (0.0, 0.05, 0.3), strict=True):
    config = SimulationConfig(n=60, network="silos", team_size=12, degree=6, bridging=bridging)
    graph = Simulation(config, seed=1).graph
    g = graph.to_networkx()
    crossing = sum(graph.team[u] != graph.team[v] for u, v in g.edges)
    nx.draw_networkx(g, pos=nx.spring_layout(g, seed=2), ax=ax, node_size=40,
                     node_color=graph.team, cmap="tab10", with_labels=False, width=0.4)
    ax.set_title(f"bridging {bridging}: {crossing} of {g.number_of_edges()} ties cross teams")
    ax.set_axis_off()
fig.suptitle("Five teams of 12, more and more bridged")
plt.show()

# %% [markdown]
# ## Brokers and connectors
#
# `sim.analysis.roles.network_roles(graph)` scores every person. A **broker** spans
# *structural holes* (gaps between groups): high **betweenness** (many shortest paths between
# other people pass through her) and low **Burt constraint** (her contacts are not tied to
# each other). A **connector** is embedded in a cohesive team: high **clustering** (her
# contacts know each other) and many ties inside the team. Research on change initiatives in
# health services found brokers vital for transformative change, and that they need
# connectors around them.

# %%
config = SimulationConfig(n=300, network="silos", team_size=20, degree=10, bridging=0.05)
graph = Simulation(config, seed=1).graph
roles = network_roles(graph)
roles["ties outside the team"] = roles["degree"] - roles["team_degree"]
roles.groupby("role")[["degree", "ties outside the team", "betweenness", "constraint",
                       "clustering"]].mean().round(3)

# %%
colours = {"broker": "tab:red", "connector": "tab:blue", "other": "lightgrey"}
g = graph.to_networkx()
teams = sorted(set(graph.team))[:5]  # five teams, to keep the picture readable
shown = g.subgraph([node for node in g if graph.team[node] in teams])
fig, ax = plt.subplots(figsize=(7, 5))
nx.draw_networkx(shown, pos=nx.spring_layout(shown, seed=3), ax=ax, with_labels=False,
                 node_size=45, width=0.3,
                 node_color=[colours[roles.at[node, "role"]] for node in shown])
for role, colour in colours.items():
    ax.scatter([], [], color=colour, label=role)
ax.legend()
ax.set_title("Brokers and connectors in five of the teams")
ax.set_axis_off()
plt.show()

# %% [markdown]
# ## A campaign team in the silos
#
# A campaign team is `campaign_size` committed cooperators who give the whole endowment every
# round; `campaign_placement` says where they sit:

# %%
pd.Series({name: placement.summary for name, placement in PLACEMENTS.items()},
          name="what it means").to_frame()

# %% [markdown]
# Under **simple contagion** a conditional cooperator responds to what her contacts gave in
# proportion; under **complex contagion** she moves only once at least `threshold` of her
# contacts cooperate. The experiment measures the **reach**: the share of people cooperating
# in teams that hold no campaign member, over the last rounds of the run. Every cell of a
# replicate plays on the same network with the same random numbers.
#
# **The people.** To see contagion at work, this notebook uses *stylised* people who pass
# cooperation on: conditional cooperators who respond only to what others gave
# (`rule="conditional"`), give a little more than they see and make no random mistakes. The
# project's calibrated people also learn from their own earnings, and a few committed
# campaigners do not win them over (exercise 4 checks that).
#
# The full experiment: 600 people in 30 teams, 10 replicate networks, 40 rounds. Here: 300
# people in 15 teams, a campaign of 10, 5 replicate networks, 30 rounds.

# %%
params = EXPERIMENT.read_parameters()
params["simulation"].update(n=300, rounds=30, campaign_size=10, rule="conditional")
params["grid"].update(bridging=[0.05, 0.3], weaving=[0.0, 0.3])


def play_cells(params: dict, replicates: int) -> pd.DataFrame:
    """One row per (cell, replicate network): the experiment's own runs, unaggregated.

    The engine runs on one thread here, as the experiment's workers do: runs this small
    finish sooner without parallel threads.
    """
    options = EXPERIMENT.fill(params, {"replicates": replicates, "seed": 2007, "workers": 1})
    settings = EXPERIMENT.settings(params, options)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return pd.DataFrame([record for task in silo_tasks(settings, options["seed"])
                             for record in run_network(task)])
    finally:
        numba.set_num_threads(threads)


def summarise(runs: pd.DataFrame, metric: str = "reach") -> pd.DataFrame:
    """Each cell's mean over the replicate networks, with a 95% bootstrap interval."""
    cells = ["seeding", "contagion", "bridging", "weaving"]
    rows = []
    for key, part in runs.groupby(cells):
        values = part[metric].to_numpy()
        interval = bootstrap_ci(values) or (values.mean(), values.mean())
        rows.append({**dict(zip(cells, key, strict=True)), "estimate": values.mean(),
                     "low": interval[0], "high": interval[1]})
    return pd.DataFrame(rows)


runs = play_cells(params, replicates=5)
reach = summarise(runs)
reach.pivot_table(index="seeding", columns=["contagion", "bridging", "weaving"],
                  values="estimate").round(2)

# %% [markdown]
# The intervals are 95% *percentile bootstrap* intervals over the 5 replicate networks
# (Efron & Tibshirani 1993): the replicates are resampled many times and the middle 95% of
# the resampled means kept. Unlike mean ± t standard errors they stay inside what a share can
# be, 0 to 1; with 5 replicates they are rough.

# %%
seedings = params["grid"]["seeding"]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, contagion in zip(axes, ("simple", "complex"), strict=True):
    for k, bridging in enumerate((0.05, 0.3)):
        part = reach[(reach.contagion == contagion) & (reach.bridging == bridging)
                     & (reach.weaving == 0.0)].set_index("seeding").loc[seedings]
        x = np.arange(len(seedings)) + (k - 0.5) * 0.38
        ax.bar(x, part["estimate"], 0.38, label=f"bridging {bridging}")
        ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["low"],
                                               part["high"] - part["estimate"]],
                    fmt="none", color="black", capsize=2)
    ax.set_xticks(np.arange(len(seedings)), seedings, rotation=20)
    ax.set_ylim(0, 1)
    ax.set_title(f"{contagion} contagion, no weaving")
axes[0].set_ylabel("reach: share cooperating in unseeded teams")
axes[0].legend()
plt.show()

# %% [markdown]
# ## Weaving new ties
#
# `weaving=0.3`: each round 30% of the people gain one new tie to a random person, like
# "randomised coffee trials" that pair colleagues across the organisation. The same runs with
# and without weaving, on the narrowly bridged silos (bridging 0.05):

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, contagion in zip(axes, ("simple", "complex"), strict=True):
    for k, weaving in enumerate((0.0, 0.3)):
        part = reach[(reach.contagion == contagion) & (reach.bridging == 0.05)
                     & (reach.weaving == weaving)].set_index("seeding").loc[seedings]
        x = np.arange(len(seedings)) + (k - 0.5) * 0.38
        ax.bar(x, part["estimate"], 0.38, label=f"weaving {weaving}")
        ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["low"],
                                               part["high"] - part["estimate"]],
                    fmt="none", color="black", capsize=2)
    ax.set_xticks(np.arange(len(seedings)), seedings, rotation=20)
    ax.set_ylim(0, 1)
    ax.set_title(f"{contagion} contagion, bridging 0.05")
axes[0].set_ylabel("reach: share cooperating in unseeded teams")
axes[0].legend()
plt.show()

# %% [markdown]
# ("spread" puts one campaigner in each of ten teams, so only five teams are unseeded.)

# %% [markdown]
# ## Exercises
#
# **1. Where should the campaign sit?** From the first figure: under complex contagion, which
# placements reach the unseeded teams when the bridges are narrow (bridging 0.05), and which
# when they are wider (0.3)? How does simple contagion compare?
#
# <details><summary>Answer</summary>
#
# `answer_1()` prints the table. With bridges this narrow complex contagion barely crosses
# from any placement: a person in another team needs at least two cooperating contacts, and a
# narrow bridge rarely supplies them. With wider bridges a campaign at the **brokers**, who
# sit on the ties between teams, reaches much further than one concentrated in **one team**,
# whose members mostly talk to each other. Simple contagion needs only one contact, so it
# crosses narrow bridges too. Check each comparison against the intervals before you
# generalise.
# </details>

# %%
# your code here

# %% [answer]
def answer_1():
    """Reach by placement, contagion and bridging share (no weaving), with intervals."""
    part = reach[reach.weaving == 0.0].copy()
    part["reach (95% interval)"] = [f"{e:.2f} ({lo:.2f} to {hi:.2f})"
                                    for e, lo, hi in zip(part.estimate, part.low, part.high,
                                                         strict=True)]
    print(part.pivot(index="seeding", columns=["contagion", "bridging"],
                     values="reach (95% interval)").to_string())
    return part.pivot_table(index="seeding", columns=["contagion", "bridging"],
                            values="estimate").to_dict()


# %% [markdown]
# **2. Does weaving help?** Compare the reach with and without weaving (second figure). For
# which contagion and which placements does it matter most?
#
# <details><summary>Answer</summary>
#
# `answer_2()` prints the gain in reach from weaving. Weaving adds random ties between teams
# every round, so over the run the silos become bridged: it matters most where the campaign
# was stuck (complex contagion behind narrow bridges) and least where cooperation was
# spreading anyway.
# </details>

# %%
# your code here

# %% [answer]
def answer_2():
    """Reach with weaving minus reach without, on the narrowly bridged silos."""
    table = reach[reach.bridging == 0.05].pivot_table(index="seeding",
                                                      columns=["contagion", "weaving"],
                                                      values="estimate")
    gain = pd.DataFrame({c: table[(c, 0.3)] - table[(c, 0.0)] for c in ("simple", "complex")})
    print("reach with weaving minus reach without (bridging 0.05):")
    print(gain.round(2))
    return gain.to_dict()


# %% [markdown]
# **3. What makes a broker?** Using the `roles` table: how many of their ties do brokers,
# connectors and the others have outside their own team? Is every person with a tie outside
# the team a broker?
#
# <details><summary>Answer</summary>
#
# `answer_3()` counts them. Brokers have more ties outside their team than connectors and
# others do, but a tie outside the team is not enough: the broker score also needs high
# betweenness and low constraint, so some people with outside ties are not brokers.
# </details>

# %%
# your code here

# %% [answer]
def answer_3():
    """Ties outside the team by role; how many people with such ties are brokers."""
    outside = roles.groupby("role")["ties outside the team"].mean()
    print(outside.round(2))
    bridging_people = roles[roles["ties outside the team"] > 0]
    brokers = int((bridging_people.role == "broker").sum())
    print(f"{len(bridging_people)} people have a tie outside their team; {brokers} of them "
          "are brokers")
    return {"outside": outside.to_dict(), "with outside ties": len(bridging_people),
            "brokers among them": brokers}


# %% [markdown]
# **4. The calibrated people.** Play the best case above (a campaign at the brokers, bridging
# 0.3, no weaving) with the project's calibrated people instead: `rule="human"` and the
# behaviour of `experiments/ties.toml`. How far does the campaign reach now, and why?
#
# <details><summary>Answer</summary>
#
# `answer_4()` compares the two. The calibrated people reach far less far than the stylised
# ones: they also learn from their own earnings, and in a social dilemma giving more than
# your group earns you less, so what the campaigners start is pulled back down. A campaign of
# committed givers is not enough to carry such people; notebook 3's policies change what
# giving pays.
# </details>

# %%
# your code here

# %% [answer]
def answer_4():
    """Reach of a campaign at the brokers: stylised people against the calibrated ones."""
    calibrated = EXPERIMENT.read_parameters()
    calibrated["simulation"].update(n=300, rounds=30, campaign_size=10)
    calibrated["grid"].update(seeding=["brokers"], bridging=[0.3], weaving=[0.0])
    out = summarise(play_cells(calibrated, replicates=5))
    best = reach[(reach.seeding == "brokers") & (reach.bridging == 0.3)
                 & (reach.weaving == 0.0)].set_index("contagion")["estimate"]
    mine = out.set_index("contagion")["estimate"]
    for contagion in ("simple", "complex"):
        print(f"{contagion:8s} contagion: stylised people {best[contagion]:.2f}, "
              f"calibrated people {mine[contagion]:.2f}")
    return {"stylised": best.to_dict(), "calibrated": mine.to_dict()}
