# %% [markdown]
# # 3. Cooperation against competition
#
# **Learning goals.** After this notebook you can
#
# 1. name the institutions (policies) the package can apply each round, and where each comes
#    from;
# 2. switch a policy on in a run, in the engine or in the Mesa model;
# 3. compare policies fairly: the same budget, the same worlds, replicates and confidence
#    intervals;
# 4. answer, from the figures, the question of the project: does a system run on competition
#    between its parts lose to one that rewards cooperation?
#
# **What you need.** Notebook 1 (the game, MU, welfare, the Gini coefficient). A
# **replicate** is one independent world (its own network and people, from its own seed); a
# **95% confidence interval** over replicates is the range the true average is likely in:
# when the intervals of two policies do not overlap, the difference is more than the luck of
# the draw.
#
# The comparison is `cascade experiment policies` (`experiments/policies.py`), run here at a
# small size through the experiment's own Python entry, `EXPERIMENT.play`.

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
import pandas as pd
from matplotlib.ticker import MaxNLocator

from experiments.policies import EXPERIMENT
from sim import Simulation, SimulationConfig
from sim.policies import POLICIES

pd.set_option("display.max_colwidth", 90)
pd.DataFrame([{"policy": name, "what it does": cls.summary, "source": cls.source}
              for name, cls in POLICIES.items()]).set_index("policy")

# %% [markdown]
# ## The policies
#
# A policy acts every round between the game's payoffs and the people's learning. The two the
# project sets against each other spend **the same money** (`policy_budget` MU per person per
# round), so any difference comes from the *shape* of the incentive:
#
# - **competition** ranks people within their neighbourhood (or team) and pays the budget to
#   the best quarter: a *tournament* (Lazear & Rosen 1981), like budgets allocated by rank;
# - **cooperation** pays the same budget to neighbourhoods in proportion to what they gave
#   together: a shared pool.
#
# `punishment` lets peers fine those who give less than their group (Fehr & Gächter 2002);
# `growing-resources` and `envelope` contrast resources that grow with use against a fixed pot
# that is spent down. Policies combine with `+`, e.g. `"cooperation+punishment"`.
#
# A policy is one setting of the run, `policy=...`, here on people who copy better-earning
# neighbours (the Fermi rule of notebook 1):

# %%
world = SimulationConfig(n=300, network="small-world", rounds=30, rule="fermi", temperature=1.0,
                         cost="per-individual", policy_budget=2.0)
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for policy in ("baseline", "competition", "cooperation"):
    history = Simulation(world.replace(policy=policy), seed=4).run()
    ax.plot(np.arange(1, history.rounds + 1), history.mean_contribution, label=policy)
ax.set_xlabel("round")
ax.set_ylabel("mean contribution (MU)")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("One world, three policies (Fermi imitators)")
ax.legend()
plt.show()

# %% [markdown]
# Here `cost="per-individual"`: each person has one endowment of 20 MU a round, spread over
# her games, so contributions and welfare are in MU per person per round. One world is an
# anecdote. The Mesa model takes the same setting (`PublicGoodsModel(policy="competition",
# ...)`), and `cascade run --policy competition` too; the browser app (`cascade viz`) compares
# scenarios side by side over replicates.

# %% [markdown]
# ## A fair comparison
#
# `EXPERIMENT.play` plays every policy on several networks for two populations:
#
# - **human-like**: the calibrated people of notebook 2 (conditional cooperators, free
#   riders and others, who also learn from their own earnings);
# - **payoff-learning**: people who imitate better-earning neighbours.
#
# Each (population, network) has a set of replicate worlds, and *the same worlds* are played
# under every policy (*common random numbers*), so differences come from the policy. The full
# experiment uses 500 people, 40 rounds and 30 replicates; here 120 people, 20 rounds and 8
# replicates, so it runs in seconds. The envelope holds the same money in total as the other
# budgets: `policy_budget` times the rounds.

# %%
params = EXPERIMENT.read_parameters()
rounds = 20
budget = params["policies"]["parameters"]["policy_budget"]
params["policies"]["parameters"]["envelope_budget"] = budget * rounds
policies = params["policies"]["names"]
networks = ["silos", "small-world"]
run = EXPERIMENT.play(params, replicates=8, seed=2026, networks=",".join(networks),
                      policies=",".join(policies), n=120, rounds=rounds)

rows = []
for population, key in (("human-like", "policies"), ("payoff-learning", "payoff_learning")):
    for policy in policies:
        for network in networks:
            for metric, value in run[key][policy][network].items():
                rows.append({"population": population, "policy": policy, "network": network,
                             "metric": metric, "estimate": value["estimate"],
                             "low": value["ci"][0], "high": value["ci"][1]})
results = pd.DataFrame(rows)
results[results.metric == "final_mean_contribution"].pivot_table(
    index="policy", columns=["population", "network"], values="estimate").round(2)

# %% [markdown]
# The experiment's intervals are Student-t 95% intervals over the 8 replicate worlds. With so
# few worlds they are wide, and for contributions near zero they can reach below it; the
# figures cut them at zero, since a contribution cannot be negative (the full experiment's 30
# replicates make them much narrower).

# %%
def bars(metric: str, ylabel: str, title: str, floor: float | None = None):
    """One panel per population: the metric by policy, one bar per network, with 95% CIs."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    width = 0.8 / len(networks)
    for ax, population in zip(axes, ("human-like", "payoff-learning"), strict=True):
        for k, network in enumerate(networks):
            part = results[(results.population == population) & (results.network == network)
                           & (results.metric == metric)].set_index("policy").loc[policies]
            low = part["low"] if floor is None else part["low"].clip(lower=floor)
            x = np.arange(len(policies)) + (k - (len(networks) - 1) / 2) * width
            ax.bar(x, part["estimate"], width, label=network)
            ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - low,
                                                   part["high"] - part["estimate"]],
                        fmt="none", color="black", capsize=2)
        ax.set_xticks(np.arange(len(policies)), policies, rotation=30, ha="right")
        ax.set_title(f"{title}: {population}")
    axes[0].set_ylabel(ylabel)
    axes[0].legend()
    plt.show()


bars("final_mean_contribution", "final mean contribution (MU)", "Giving", floor=0.0)
bars("welfare", "welfare (MU per person per round)", "Welfare")
bars("gini", "Gini of total earnings (0 to 1)", "Inequality", floor=0.0)

# %% [markdown]
# The mean contribution round by round, competition against cooperation (bands: 95%
# intervals over the replicate worlds, cut at zero):

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True)
for ax, population in zip(axes, ("human-like", "payoff-learning"), strict=True):
    for policy, colour in (("baseline", "grey"), ("competition", "tab:red"),
                           ("cooperation", "tab:green")):
        series = run["trajectories"][population][policy]["small-world"]
        mean, ci = np.asarray(series["mean"]), np.asarray(series["ci"])
        x = np.arange(1, len(mean) + 1)
        ax.plot(x, mean, color=colour, label=policy)
        ax.fill_between(x, np.clip(ci[:, 0], 0, None), ci[:, 1], color=colour, alpha=0.15)
    ax.set_title(f"{population}, small world")
    ax.set_xlabel("round")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].set_ylabel("mean contribution (MU)")
axes[0].legend()
plt.show()

# %% [markdown]
# ## Reading the numbers
#
# A claim needs intervals that do not overlap. The function below says, in one line per
# network and population, what the numbers allow us to say about cooperation against
# competition.

# %%
#: the metrics, as the reading names them: plain name, unit, decimals
READING = {"final_mean_contribution": ("giving", "MU", 2),
           "welfare": ("welfare", "MU per person per round", 2),
           "gini": ("inequality of earnings", "Gini", 3)}


def verdict(population: str, network: str, metric: str) -> str:
    """Cooperation against competition on one metric, in plain words."""
    part = results[(results.population == population) & (results.network == network)
                   & (results.metric == metric)].set_index("policy")
    coop, comp = part.loc["cooperation"], part.loc["competition"]
    plain, unit, digits = READING[metric]
    word = "more" if coop.estimate > comp.estimate else "less"
    separate = coop.low > comp.high or comp.low > coop.high
    tail = ("the intervals do not overlap, so the difference is more than chance"
            if separate else "the intervals overlap, so these replicates cannot tell them apart")
    return (f"{population}, {network}: cooperation leads to {word} {plain} than competition "
            f"({coop.estimate:.{digits}f} against {comp.estimate:.{digits}f} {unit}); {tail}.")


for population in ("human-like", "payoff-learning"):
    for network in networks:
        print(verdict(population, network, "final_mean_contribution"))

# %% [markdown]
# ## Exercises
#
# **1. The question.** From the figures and the lines above: does competition or cooperation
# lead to more giving, to more welfare, and to more equal earnings? Does the answer depend on
# who the people are?
#
# <details><summary>Answer</summary>
#
# `answer_1()` prints the plain reading for giving, welfare and inequality. Why the two
# populations can differ: people who copy better-earning neighbours follow the money, so the
# *shape* of the incentive decides what spreads. A tournament on earnings rewards whoever
# out-earns the neighbours, which free riders do, so it can spread free riding; a reward for
# what the group gave together makes giving pay. The human-like people respond mostly to what
# others give and only partly to their own earnings, so money whose shape differs but whose
# amount is the same moves them less. Before you claim a difference, check that the intervals
# separate; with 8 replicates many do not (raise `replicates` and `n` to know more).
# </details>
#
# **2. Is punishment free?** `run["money"][population][policy][network]` is the money each
# policy moved per person per round (negative: fines paid and suffered). What does punishment
# cost, and is it worth it in welfare?
#
# <details><summary>Answer</summary>
#
# `answer_2()` prints the money and the welfare. Punishment costs money: every fine costs the
# punisher 1 MU and the punished 3 MU, so the money it moves is negative. Whether it is worth
# it depends on how much more people give under it: a group that gives everything gets back
# $r$ times what it gave. Compare its welfare with the baseline's in the printed table.
# </details>

# %%
# your code here

# %% [answer]
def answer_1():
    """The plain reading for giving, welfare and inequality."""
    lines = [verdict(population, network, metric) for metric in READING
             for population in ("human-like", "payoff-learning") for network in networks]
    print("\n".join(lines))
    return lines


# %% [answer]
def answer_2():
    """Money moved by punishment, and welfare with and without it."""
    money = pd.DataFrame({(population, policy): run["money"][population][policy]
                          for population in run["money"]
                          for policy in ("punishment", "cooperation+punishment")})
    print("MU moved per person per round (negative: fines):")
    print(money.round(2))
    welfare = (results[(results.metric == "welfare")
                       & results.policy.isin(["baseline", "punishment",
                                              "cooperation+punishment"])]
               .pivot_table(index="policy", columns=["population", "network"],
                            values="estimate"))
    print("welfare (MU per person per round):")
    print(welfare.round(1))
    return {"money": {str(k): v for k, v in money.to_dict().items()},
            "welfare": {str(k): v for k, v in welfare.to_dict().items()}}


# %% [markdown]
# **3. A tournament on giving.** Competition ranks people by what they *earned*
# (`competition_rank="payoff"`). Rank them by what they *gave* instead
# (`competition_rank="contribution"`: set it in `params["policies"]["parameters"]` and run
# `EXPERIMENT.play` with `policies="baseline,competition"`). What happens to the payoff
# learners' contributions, and why?
#
# <details><summary>Answer</summary>
#
# `answer_3()` compares the two. A prize for the biggest givers makes giving pay, so payoff
# learners copy givers instead of free riders, and they give more than under a tournament on
# earnings: what a competition rewards decides what spreads.
# </details>

# %%
# your code here

# %% [answer]
def answer_3():
    """Payoff learners' final giving under a tournament on earnings and one on giving."""
    by_rank = {}
    for rank in ("payoff", "contribution"):
        variant = EXPERIMENT.read_parameters()
        variant["policies"]["parameters"]["competition_rank"] = rank
        out = EXPERIMENT.play(variant, replicates=8, seed=2026, networks="small-world",
                              policies="baseline,competition", n=120, rounds=rounds)
        value = out["payoff_learning"]["competition"]["small-world"]["final_mean_contribution"]
        by_rank[rank] = value
        print(f"competition ranked by {rank:12s}: final mean contribution "
              f"{value['estimate']:.2f} MU (95% interval {max(value['ci'][0], 0):.2f} to "
              f"{value['ci'][1]:.2f})")
    return by_rank
