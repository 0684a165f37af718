"""A slow, readable twin of the dispatch kernel, for tests and benchmarks only.

It follows the same operating rules as :mod:`energysim.kernel.dispatch`, written for clarity
rather than speed: one hour at a time, Python objects, a recursive transport over the backbone
tree. The tests compare it with the compiled kernel on random networks (hypothesis), so a change of
rules must be made in both places.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from energysim.kernel import DispatchResult, KernelInputs, allocate_result

logger = logging.getLogger(__name__)

__all__ = ["dispatch_reference"]

EPS = 1e-9


@dataclass
class _Backbone:
    """The backbone forest with the line capacity left in the current hour."""

    inputs: KernelInputs
    children: dict[int, list[int]] = field(default_factory=dict)
    cap_up: dict[int, float] = field(default_factory=dict)
    cap_down: dict[int, float] = field(default_factory=dict)
    sent_up: dict[int, float] = field(default_factory=dict)
    sent_down: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        nb = self.inputs.demand.shape[1]
        self.children = {b: [] for b in range(nb)}
        for b in range(nb):
            if self.inputs.parent[b] >= 0:
                self.children[int(self.inputs.parent[b])].append(b)
        self.roots = [b for b in range(nb) if self.inputs.parent[b] < 0]

    def new_hour(self) -> None:
        for children in self.children.values():
            for c in children:
                line = self.inputs.parent_line[c]
                self.cap_up[c] = float(self.inputs.line_cap[line])
                self.cap_down[c] = float(self.inputs.line_cap[line])
                self.sent_up[c] = 0.0
                self.sent_down[c] = 0.0

    def eff(self, child: int) -> float:
        return float(self.inputs.line_eff[self.inputs.parent_line[child]])

    def transport(self, supply: list[float], demand: list[float]) -> list[float]:
        """Match supply and demand over the forest; return the residual at each bus.

        Residual > 0: supply left unused at that bus; < 0: demand left unmet there.
        """
        net = [s - d for s, d in zip(supply, demand, strict=True)]
        flow: dict[int, float] = {}

        def gather(bus: int) -> None:
            # children first: each child's subtree sends its net towards this bus
            for child in self.children[bus]:
                gather(child)
                x = net[child]
                if x > EPS:
                    f = min(x, self.cap_up[child])
                    net[child] -= f
                    net[bus] += f * self.eff(child)
                    flow[child] = f
                elif x < -EPS:
                    y = min(-x / self.eff(child), self.cap_down[child])
                    net[child] += y * self.eff(child)
                    net[bus] -= y
                    flow[child] = -y
                else:
                    flow[child] = 0.0

        def give_back(bus: int) -> None:
            # what this bus cannot use goes back down the lines it came up (saves losses)
            r = net[bus]
            for child in self.children[bus]:
                f = flow[child]
                if r > EPS and f > 0:
                    back = min(f * self.eff(child), r)
                    flow[child] -= back / self.eff(child)
                    net[child] += back / self.eff(child)
                    r -= back
                elif r < -EPS and f < 0:
                    less = min(-f, -r)
                    flow[child] += less
                    net[child] -= less * self.eff(child)
                    r += less
            net[bus] = r
            for child in self.children[bus]:
                give_back(child)

        for root in self.roots:
            gather(root)
        for root in self.roots:
            give_back(root)
        for child, f in flow.items():
            if f > 0:
                self.cap_up[child] -= f
                self.sent_up[child] += f
            elif f < 0:
                self.cap_down[child] += f
                self.sent_down[child] -= f
        return net


def _absorb(grid: _Backbone, surplus: list[float], wanted: list[float]) -> list[float]:
    """Give surplus to ``wanted``; return what each bus received; reduce ``surplus``."""
    if sum(wanted) <= EPS:
        return [0.0] * len(wanted)
    residual = grid.transport(list(surplus), wanted)
    received = []
    for b, r in enumerate(residual):
        used = surplus[b] - max(r, 0.0)
        surplus[b] -= max(used, 0.0)
        received.append(wanted[b] - max(-r, 0.0))
    return [max(x, 0.0) for x in received]


def _cover(grid: _Backbone, offered: list[float], deficit: list[float]) -> list[float]:
    """Cover ``deficit`` from ``offered``; return what each bus gave; reduce ``deficit``."""
    if sum(offered) <= EPS:
        return [0.0] * len(offered)
    residual = grid.transport(offered, list(deficit))
    given = []
    for b, r in enumerate(residual):
        given.append(max(offered[b] - max(r, 0.0), 0.0))
        deficit[b] = max(-r, 0.0)
    return given


def _per_bus(values: Sequence[float], bus: np.ndarray, nb: int) -> list[float]:
    """Sum ``values`` (one per storage unit or corridor) at their buses ``bus``, in order."""
    total = [0.0] * nb
    for i, x in enumerate(values):
        total[bus[i]] += x
    return total


def _discharge(
    grid: _Backbone,
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    charged: list[bool],
    deficit: list[float],
    reserve: float,
) -> None:
    """Cover the deficit from storage down to max(soc_min, reserve share); update ``soc``."""
    nb = inputs.demand.shape[1]
    storage = range(inputs.st_p.shape[0])
    offer = [0.0] * len(storage)
    for s in storage:
        if charged[s]:
            continue
        floor = max(inputs.st_soc_min[s], reserve * inputs.st_e[s])
        offer[s] = min(
            inputs.st_p[s] - out.st_discharge[t, s], (soc[s] - floor) * inputs.st_eff_out[s]
        )
        offer[s] = max(offer[s], 0.0)
    at_bus = _per_bus(offer, inputs.st_bus, nb)
    _take(inputs, out, t, soc, offer, at_bus, _cover(grid, at_bus, deficit))


def _charge(
    grid: _Backbone,
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    charged: list[bool],
    surplus: list[float],
) -> None:
    """Charge storage from the surplus: each unit within its rating, up to (1 - room kept free
    at its bus) x its maximum state of charge, but not below the share held for the next day's
    shortfalls."""
    nb = inputs.demand.shape[1]
    storage = range(inputs.st_p.shape[0])
    reserve = float(inputs.storage_reserve[t])
    room = []
    for s in storage:
        top = float(inputs.st_soc_max[s])
        free = float(inputs.st_room[t, inputs.st_bus[s]])
        if free > 0:
            top = min(max(top * (1 - free), reserve * inputs.st_e[s]), top)
        r = min(inputs.st_p[s], (top - soc[s]) / inputs.st_eff_in[s])
        room.append(max(r, 0.0))
    want = _per_bus(room, inputs.st_bus, nb)
    got = _absorb(grid, surplus, want)
    for s in storage:
        b = inputs.st_bus[s]
        p = got[b] * room[s] / want[b] if want[b] > 0 and room[s] > 0 else 0.0
        if p > EPS:  # float residue of the transport is not a charge
            out.st_charge[t, s] = p
            soc[s] += p * inputs.st_eff_in[s]
            charged[s] = True


def _charge_locally(
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    charged: list[bool],
    surplus: list[float],
) -> None:
    """Charge each bus's storage from the surplus left at that bus, within each unit's rating
    less what it charged this hour, up to its maximum state of charge."""
    nb = inputs.demand.shape[1]
    storage = range(inputs.st_p.shape[0])
    room = []
    for s in storage:
        b = inputs.st_bus[s]
        r = min(
            inputs.st_p[s] - out.st_charge[t, s],
            (inputs.st_soc_max[s] - soc[s]) / inputs.st_eff_in[s],
        )
        room.append(max(r, 0.0) if surplus[b] > EPS else 0.0)
    want = _per_bus(room, inputs.st_bus, nb)
    for s in storage:
        b = inputs.st_bus[s]
        p = min(surplus[b], want[b]) * room[s] / want[b] if room[s] > 0 else 0.0
        if p > EPS:
            out.st_charge[t, s] += p
            soc[s] += p * inputs.st_eff_in[s]
            charged[s] = True
    for b in range(nb):
        if want[b] > 0:
            surplus[b] = max(surplus[b] - want[b], 0.0)


def _room_offer(
    inputs: KernelInputs, out: DispatchResult, t: int, soc: list[float], charged: list[bool]
) -> list[float]:
    """What each unit offers down to the room kept free for the surplus expected at its bus
    (state of charge max(soc_min, soc_max x (1 - room))), within its rating less what it
    discharged this hour, MW."""
    offer = []
    for s in range(inputs.st_p.shape[0]):
        room = float(inputs.st_room[t, inputs.st_bus[s]])
        if charged[s] or room <= 0:
            offer.append(0.0)
            continue
        floor = max(inputs.st_soc_min[s], inputs.st_soc_max[s] * (1 - room))
        a = min(inputs.st_p[s] - out.st_discharge[t, s], (soc[s] - floor) * inputs.st_eff_out[s])
        offer.append(max(a, 0.0))
    return offer


def _take(
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    offer: list[float],
    at_bus: list[float],
    given: list[float],
) -> None:
    """Share each bus's storage output ``given`` among its units in proportion to ``offer``."""
    for s in range(inputs.st_p.shape[0]):
        b = inputs.st_bus[s]
        p = given[b] * offer[s] / at_bus[b] if at_bus[b] > 0 and offer[s] > 0 else 0.0
        if p > EPS:
            out.st_discharge[t, s] += p
            soc[s] = max(soc[s] - p / inputs.st_eff_out[s], 0.0)


def _make_room(
    grid: _Backbone,
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    charged: list[bool],
    surplus_budget: list[float],
) -> None:
    """Storage above the room kept free at its bus serves the flexible loads' headroom left,
    then the corridors' surplus-market headroom left."""
    nb = inputs.demand.shape[1]
    offer = _room_offer(inputs, out, t, soc, charged)
    at_bus = _per_bus(offer, inputs.st_bus, nb)
    if sum(at_bus) <= EPS:
        return
    flex_room = [float(inputs.flex_max[b] - out.flex_use[t, b]) for b in range(nb)]
    head = []
    for c in range(inputs.corr_cap.shape[0]):
        h = (inputs.corr_cap[c] - inputs.schedule[t, c]) * inputs.corr_surplus_pu[t, c]
        h = min(h - (out.corr_flow[t, c] - inputs.schedule[t, c]), surplus_budget[c])
        head.append(max(h, 0.0))
    corr_at = _per_bus(head, inputs.corr_bus, nb)
    want = [flex_room[b] + corr_at[b] for b in range(nb)]
    if sum(want) <= EPS:
        return
    residual = grid.transport(list(at_bus), want)
    given = [max(at_bus[b] - max(r, 0.0), 0.0) for b, r in enumerate(residual)]
    got = [max(want[b] - max(-r, 0.0), 0.0) for b, r in enumerate(residual)]
    _take(inputs, out, t, soc, offer, at_bus, given)
    for b in range(nb):
        f = min(got[b], flex_room[b])
        out.flex_use[t, b] += f
        got[b] -= f
    for c, h in enumerate(head):
        b = inputs.corr_bus[c]
        if corr_at[b] > 0 and h > 0:
            extra = got[b] * h / corr_at[b]
            out.corr_flow[t, c] += extra
            surplus_budget[c] -= extra


def _thermal_headroom(inputs: KernelInputs, out: DispatchResult, t: int) -> float:
    """Available thermal capacity above output, all tiers and buses, MW."""
    return float(np.maximum(inputs.th_avail[t] - out.thermal[t], 0.0).sum())


def _storage_headroom(inputs: KernelInputs, out: DispatchResult, t: int, soc: list[float]) -> float:
    """Upward reserve storage holds: rating less discharge, at most its energy above the
    minimum deliverable within the hour, MW."""
    return sum(
        max(
            min(
                inputs.st_p[s] - out.st_discharge[t, s],
                (soc[s] - inputs.st_soc_min[s]) * inputs.st_eff_out[s],
            ),
            0.0,
        )
        for s in range(inputs.st_p.shape[0])
    )


def _thermal_cover(
    grid: _Backbone,
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    deficit: list[float],
    allowed: float,
) -> None:
    """Cover the deficit from thermal tiers in merit order, at most ``allowed`` MW in all."""
    nb = inputs.demand.shape[1]
    for k in range(inputs.th_avail.shape[1]):
        if sum(deficit) <= EPS or allowed <= EPS:
            break
        headroom = [max(inputs.th_avail[t, k, b] - out.thermal[t, k, b], 0.0) for b in range(nb)]
        if sum(headroom) > allowed:  # the tier gives only what the reserve leaves, evenly
            share = allowed / sum(headroom)
            headroom = [h * share for h in headroom]
        given = _cover(grid, headroom, deficit)
        out.thermal[t, k] += given
        allowed -= sum(given)


def _precharge(
    grid: _Backbone,
    inputs: KernelInputs,
    out: DispatchResult,
    t: int,
    soc: list[float],
    allowed: float,
) -> None:
    """Charge storage from thermal headroom (merit order, at most ``allowed`` MW) up to the
    share of its energy held for the next day's expected shortfalls."""
    nb = inputs.demand.shape[1]
    storage = range(inputs.st_p.shape[0])
    target = float(inputs.storage_reserve[t])
    room = []
    for s in storage:
        room_free = float(inputs.st_room[t, inputs.st_bus[s]])
        goal = min(target * inputs.st_e[s], inputs.st_soc_max[s] * (1 - room_free))
        r = min(inputs.st_p[s] - out.st_charge[t, s], (goal - soc[s]) / inputs.st_eff_in[s])
        room.append(max(r, 0.0))
    want = _per_bus(room, inputs.st_bus, nb)
    for k in range(inputs.th_avail.shape[1]):
        if sum(want) <= EPS or allowed <= EPS:
            break
        headroom = [max(inputs.th_avail[t, k, b] - out.thermal[t, k, b], 0.0) for b in range(nb)]
        if sum(headroom) <= EPS:
            continue
        if sum(headroom) > allowed:
            share = allowed / sum(headroom)
            headroom = [h * share for h in headroom]
        residual = grid.transport(headroom, list(want))
        got = [0.0] * nb
        for b, r in enumerate(residual):
            out.thermal[t, k, b] += max(headroom[b] - max(r, 0.0), 0.0)
            allowed -= max(headroom[b] - max(r, 0.0), 0.0)
            got[b] = max(want[b] - max(-r, 0.0), 0.0)
        for s in storage:
            b = inputs.st_bus[s]
            p = got[b] * room[s] / want[b] if want[b] > 0 and room[s] > 0 else 0.0
            if p > EPS:
                out.st_charge[t, s] += p
                soc[s] += p * inputs.st_eff_in[s]
                room[s] -= p
        want = [want[b] - got[b] for b in range(nb)]


def dispatch_reference(inputs: KernelInputs) -> DispatchResult:
    """Dispatch a year by the kernel's rules, slowly and readably. Same outputs as the kernel."""
    out = allocate_result(inputs)
    nt, nb = inputs.demand.shape
    nk = inputs.th_avail.shape[1]
    storage = range(inputs.st_p.shape[0])
    corridors = range(inputs.corr_cap.shape[0])
    grid = _Backbone(inputs)
    soc = [float(x) for x in inputs.st_soc0]
    dr_total = float(inputs.dr_cap.sum())
    dr_left = float(inputs.dr_energy)
    surplus_budget = [float(x) for x in inputs.corr_surplus_budget]
    # shifted load: list of [due hour, MWh still owed], oldest first
    owed: list[list[float]] = []

    for t in range(nt):
        grid.new_hour()
        soc = [soc[s] * (1 - inputs.st_loss[s]) for s in storage]
        must = [float(inputs.th_must[t, :, b].sum()) for b in range(nb)]
        out.thermal[t] = inputs.th_must[t]
        out.flex_use[t] = inputs.flex_min
        out.corr_flow[t] = inputs.schedule[t]
        sched_at = _per_bus(inputs.schedule[t], inputs.corr_bus, nb)

        # shifted load that falls due now must be served
        due_now = sum(m for due, m in owed if due == t) if inputs.dr_shift else 0.0
        owed = [item for item in owed if item[0] != t]
        dr_share = [inputs.dr_cap[b] / dr_total if dr_total > 0 else 0.0 for b in range(nb)]
        forced = [due_now * dr_share[b] for b in range(nb)]
        out.dr_payback[t] = forced

        # 1. base match
        supply = [inputs.zero_cost_avail[t, b] + must[b] for b in range(nb)]
        wanted = [
            inputs.demand[t, b] + inputs.flex_min[b] + sched_at[b] + forced[b] for b in range(nb)
        ]
        residual = grid.transport(supply, wanted)
        surplus = [max(r, 0.0) for r in residual]
        deficit = [max(-r, 0.0) for r in residual]
        charged = [False for _ in storage]
        given_up = False  # the hour cuts load or exports

        # 2. surplus
        if any(x > EPS for x in surplus):
            backlog = sum(m for _, m in owed)
            if inputs.dr_shift and backlog > EPS:
                want = [
                    max(min(inputs.dr_cap[b], backlog * dr_share[b]) - forced[b], 0.0)
                    for b in range(nb)
                ]
                got = _absorb(grid, surplus, want)
                paid = sum(got)
                out.dr_payback[t] += got
                for item in owed:  # oldest first
                    take = min(item[1], paid)
                    item[1] -= take
                    paid -= take
                owed = [item for item in owed if item[1] > 0]
            if len(storage):
                # leaving free the room kept for the surplus expected at the unit's bus
                _charge(grid, inputs, out, t, soc, charged, surplus)
            got = _absorb(grid, surplus, list(inputs.flex_max - inputs.flex_min))
            out.flex_use[t] += got
            if len(corridors):
                # the receiving grids take a share of the headroom, in their hours, within
                # an annual budget
                room = [
                    max(
                        min(
                            (inputs.corr_cap[c] - inputs.schedule[t, c])
                            * inputs.corr_surplus_pu[t, c],
                            surplus_budget[c],
                        ),
                        0.0,
                    )
                    for c in corridors
                ]
                want = _per_bus(room, inputs.corr_bus, nb)
                got = _absorb(grid, surplus, want)
                for c in corridors:
                    b = inputs.corr_bus[c]
                    if want[b] > 0 and room[c] > 0:
                        extra = got[b] * room[c] / want[b]
                        out.corr_flow[t, c] += extra
                        surplus_budget[c] -= extra
            if len(storage) and any(inputs.st_room[t, inputs.st_bus[s]] > 0 for s in storage):
                # into the room kept free: surplus the flexible loads and corridors did not take,
                # each bus's own surplus into its own storage
                _charge_locally(inputs, out, t, soc, charged, surplus)
            for b in range(nb):
                cut = min(surplus[b], inputs.zero_cost_avail[t, b])
                out.curtail[t, b] = cut
                out.thermal_relief[t, b] = max(surplus[b] - cut, 0.0)

        # 3. deficit
        if any(x > EPS for x in deficit):
            if len(storage):
                _discharge(
                    grid, inputs, out, t, soc, charged, deficit, float(inputs.storage_reserve[t])
                )
            # thermal up to its available capacity less the reserve storage does not hold
            if nk and sum(deficit) > EPS:
                held = float(inputs.reserve_req[t]) - _storage_headroom(inputs, out, t, soc)
                allowed = _thermal_headroom(inputs, out, t) - held if held > 0 else float("inf")
                _thermal_cover(grid, inputs, out, t, deficit, allowed)
            if len(storage) and sum(deficit) > EPS:
                _discharge(grid, inputs, out, t, soc, charged, deficit, 0.0)
            # the reserve is given up before load or export schedules are cut
            if nk and sum(deficit) > EPS and inputs.reserve_req[t] > 0:
                _thermal_cover(grid, inputs, out, t, deficit, float("inf"))
            # load or exports are cut below: the reserve that could reach the short buses is
            # spent, the headroom left cannot reach them, so none counts as held
            given_up = sum(deficit) > EPS
            # demand response: below the rationing threshold, only the budget not kept for
            # the tight hours ahead
            budget = dr_left
            if inputs.net_short[t] < inputs.dr_threshold:
                budget = dr_left - float(inputs.dr_keep[t])
            if dr_total > 0 and budget > EPS and sum(deficit) > EPS:
                scale = min(1.0, budget / dr_total)
                offer = [max(inputs.dr_cap[b] * scale - forced[b], 0.0) for b in range(nb)]
                shed = _cover(grid, offer, deficit)
                out.dr_shed[t] = shed
                dr_left -= sum(shed)
                if inputs.dr_shift and sum(shed) > 0:
                    owed.append([t + inputs.dr_window, sum(shed)])
            if len(corridors) and sum(deficit) > EPS:
                # cutting a corridor's schedule frees power that may serve any bus
                cut = _cover(grid, list(sched_at), deficit)
                for c in corridors:
                    b = inputs.corr_bus[c]
                    if cut[b] > 0 and inputs.schedule[t, c] > 0:
                        part = cut[b] * inputs.schedule[t, c] / sched_at[b]
                        out.corr_short[t, c] = part
                        out.corr_flow[t, c] -= part
            out.unserved[t] = [x if x > EPS else 0.0 for x in deficit]

        # make room: with no shortfall expected within the next day and nothing cut, storage
        # above the room kept free for the surplus ahead serves the flexible loads' and the
        # surplus market's headroom left
        if len(storage) and not given_up and inputs.storage_reserve[t] <= 0:
            _make_room(grid, inputs, out, t, soc, charged, surplus_budget)

        # 4. pre-charge from thermal headroom the reserve does not need
        if (
            len(storage)
            and nk
            and inputs.storage_reserve[t] > 0
            and not any(out.st_discharge[t, s] > 0 for s in storage)
        ):
            held = float(inputs.reserve_req[t]) - _storage_headroom(inputs, out, t, soc)
            allowed = _thermal_headroom(inputs, out, t) - max(held, 0.0)
            if allowed > EPS:
                _precharge(grid, inputs, out, t, soc, allowed)

        # 5. the reserve held at the end of the hour
        if given_up:
            out.reserve_short[t] = inputs.reserve_req[t]
        elif inputs.reserve_req[t] > 0:
            held = _thermal_headroom(inputs, out, t) + _storage_headroom(inputs, out, t, soc)
            short = float(inputs.reserve_req[t]) - held
            out.reserve_short[t] = short if short > EPS else 0.0

        out.st_soc[t] = soc
        for children in grid.children.values():
            for child in children:
                line = inputs.parent_line[child]
                eff = grid.eff(child)
                child_w = grid.sent_up[child] - grid.sent_down[child] * eff
                parent_w = grid.sent_down[child] - grid.sent_up[child] * eff
                if inputs.child_is_bus0[child]:
                    out.line_p0[t, line], out.line_p1[t, line] = child_w, parent_w
                else:
                    out.line_p0[t, line], out.line_p1[t, line] = parent_w, child_w
    out.dr_backlog_end[0] = float(sum(m for _, m in owed))
    return out
