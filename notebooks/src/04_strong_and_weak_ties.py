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
# Granovetter's weak ties bridge groups; Centola & Macy (2007, *AJS* 113:702) showed that
# behaviour needing reinforcement from several contacts (complex contagion) spreads through
# wide bridges and clustered ties rather than single long ties. The comparison is
# `cascade experiment ties` (`experiments/ties.py`), run here at a small size through the
# experiment's own Python entry, `EXPERIMENT.play`.

# %%
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from experiments.ties import EXPERIMENT
from sim import Simulation, SimulationConfig
from sim.analysis.roles import network_roles
from sim.ties import PLACEMENTS

# %% [markdown]
# ## Silos and bridges
#
# `network="silos"` builds teams of `team_size` people; a share `bridging` of the ties leave
# the team (0: isolated silos, 1: random ties), and the mean degree stays the same. Three
# bridging shares, 60 people in teams of 12:

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, bridging in zip(axes, (0.0, 0.05, 0.3), strict=True):
    config = SimulationConfig(n=60, network="silos", team_size=12, degree=6, bridging=bridging)
    graph = Simulation(config, seed=1).graph
    g = graph.to_networkx()
    crossing = sum(graph.team[u] != graph.team[v] for u, v in g.edges)
    nx.draw_networkx(g, pos=nx.spring_layout(g, seed=2), ax=ax, node_size=40,
                     node_color=graph.team, cmap="tab10", with_labels=False, width=0.4)
    ax.set_title(f"bridging {bridging}\n{crossing} of {g.number_of_edges()} ties cross teams")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## Brokers and connectors
#
# `sim.analysis.roles.network_roles(graph)` scores every person. A **broker** spans structural
# holes: high betweenness (many shortest paths pass through them) and low Burt constraint
# (their contacts are not tied to each other). A **connector** is embedded in a cohesive team:
# high clustering and many ties inside the team. Research on NHS change initiatives found
# brokers vital for transformative change, and that they need connectors around them.

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
# contacts cooperate (Centola & Macy 2007). The experiment measures the **reach**: the share
# of people cooperating in teams that hold no campaign member, at the end of the run. Every
# cell of a replicate plays on the same network with the same random numbers.
#
# The full experiment: 600 people in 30 teams, 10 replicate networks, 40 rounds. Here: 300
# people in 15 teams, a campaign of 10, 3 replicates, 30 rounds.

# %%
params = EXPERIMENT.read_parameters()
params["simulation"].update(n=300, rounds=30, campaign_size=10)
params["grid"].update(bridging=[0.05, 0.3], weaving=[0.0, 0.3])
run = EXPERIMENT.play(params, replicates=3, seed=2007)
results = pd.DataFrame(run["results"])
reach = results[results.metric == "reach"]
reach.pivot_table(index="seeding", columns=["contagion", "bridging", "weaving"],
                  values="estimate").round(2)

# %%
seedings = params["grid"]["seeding"]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, contagion in zip(axes, ("simple", "complex"), strict=True):
    for k, bridging in enumerate((0.05, 0.3)):
        part = reach[(reach.contagion == contagion) & (reach.bridging == bridging)
                     & (reach.weaving == 0.0)].set_index("seeding").loc[seedings]
        estimate = part["estimate"].astype(float)
        low = np.array([ci[0] if ci[0] is not None else np.nan for ci in part["ci"]])
        high = np.array([ci[1] if ci[1] is not None else np.nan for ci in part["ci"]])
        x = np.arange(len(seedings)) + (k - 0.5) * 0.38
        ax.bar(x, estimate, 0.38, label=f"bridging {bridging}")
        ax.errorbar(x, estimate, yerr=[estimate - low, high - estimate], fmt="none",
                    color="black", capsize=2)
    ax.set_xticks(np.arange(len(seedings)), seedings, rotation=20)
    ax.set_title(f"{contagion} contagion, no weaving")
axes[0].set_ylabel("reach: cooperation in unseeded teams")
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
        ax.bar(x, part["estimate"].astype(float), 0.38, label=f"weaving {weaving}")
    ax.set_xticks(np.arange(len(seedings)), seedings, rotation=20)
    ax.set_title(f"{contagion} contagion, bridging 0.05")
axes[0].set_ylabel("reach: cooperation in unseeded teams")
axes[0].legend()
plt.show()

# %% [markdown]
# ("spread" puts one campaigner in each of ten teams, so only five teams are unseeded.)

# %% [markdown]
# ## Exercises
#
# **1. Where should the campaign sit?** From the first figure: under complex contagion on
# narrowly bridged silos (bridging 0.05), which placements reach the unseeded teams, and which
# do not? Why does the answer change with bridging 0.3?
#
# <details><summary>Answer</summary>
#
# The hidden cell prints the table. With bridges this narrow, no placement gets complex
# contagion across (about 1% cooperation in unseeded teams): a person in another team needs at
# least two cooperating contacts, and a narrow bridge rarely supplies them. With bridging 0.3
# a campaign at the **brokers** reaches furthest (about 0.6 in this run), random and connector
# placements much less, and a campaign in **one team** or **spread** one per team stays stuck:
# each spread campaigner is alone, so nobody around her gets two cooperating contacts. Simple
# contagion reaches half or more of the unseeded teams from every placement. With 3 replicates
# the intervals are wide: compare with the experiment's full-size report before you
# generalise.
# </details>

# %%
# your code here

# %% [answer]
print(reach[(reach.weaving == 0.0)].pivot_table(index="seeding",
                                                columns=["contagion", "bridging"],
                                                values="estimate").round(2))

# %% [markdown]
# **2. Does weaving help?** Compare the reach with and without weaving (second figure). For
# which contagion and which placements does it matter most?
#
# <details><summary>Answer</summary>
#
# Weaving adds random ties between teams every round, so over the run the silos become
# bridged: it matters most where the campaign was stuck, complex contagion from a campaign
# that could not cross narrow bridges, and least where cooperation was spreading anyway.
# The hidden cell prints the gain in reach from weaving.
# </details>

# %%
# your code here

# %% [answer]
table = reach[reach.bridging == 0.05].pivot_table(index="seeding",
                                                  columns=["contagion", "weaving"],
                                                  values="estimate")
gain = pd.DataFrame({c: table[(c, 0.3)] - table[(c, 0.0)] for c in ("simple", "complex")})
print("reach with weaving minus reach without (bridging 0.05):")
print(gain.round(2))

# %% [markdown]
# **3. What makes a broker?** Using the `roles` table: how many of their ties do brokers,
# connectors and the others have outside their own team? Is every person with a tie outside
# the team a broker?
#
# <details><summary>Answer</summary>
#
# Brokers have several times as many ties outside their team as connectors and others do, but
# a tie outside the team is not enough: the broker score also needs high betweenness and low
# constraint, so some people with outside ties are not brokers. The hidden cell counts them.
# </details>

# %%
# your code here

# %% [answer]
print(roles.groupby("role")["ties outside the team"].mean().round(2))
bridging_people = roles[roles["ties outside the team"] > 0]
print(f"{len(bridging_people)} people have a tie outside their team; "
      f"{(bridging_people.role == 'broker').sum()} of them are brokers")
