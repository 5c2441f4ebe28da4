#!/usr/bin/python3
"""Independent reference for io.floe.core.privacy: the RDP accountant of Opacus, transliterated.

Follows, function by function, pytorch/opacus (Apache-2.0):
  opacus/accountants/analysis/rdp.py   _log_add, _log_sub, _compute_log_a_for_int_alpha,
                                       _compute_log_a_for_frac_alpha, _log_erfc, _compute_rdp,
                                       compute_rdp, get_privacy_spent
  opacus/accountants/rdp.py            RDPAccountant.DEFAULT_ALPHAS, history of (z, q, steps)
  opacus/accountants/utils.py          get_noise_multiplier (bracketing + bisection, tolerance 0.01)
which in turn follow TF Privacy's rdp_accountant.py (Mironov, Talwar, Zhang 2019, "Renyi
Differential Privacy of the Sampled Gaussian Mechanism"; conversion: Balle et al. 2020,
"Hypothesis Testing Interpretations and Renyi Differential Privacy", Thm 21).

Needs only numpy and scipy (Debian: apt-get install python3-numpy python3-scipy). Run with
/usr/bin/python3 from this directory:

  /usr/bin/python3 opacus_rdp_reference.py check     # Opacus' own published test values
  /usr/bin/python3 opacus_rdp_reference.py epsilon > opacus_epsilon_grid.csv
  /usr/bin/python3 opacus_rdp_reference.py noise   > opacus_noise_grid.csv

The Java tests read the two CSV files; they never run Python.
"""

import math
import sys

import numpy as np
from scipy import special

DEFAULT_ALPHAS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))
MAX_SIGMA = 1e6


def log_add(logx, logy):
    a, b = min(logx, logy), max(logx, logy)
    if a == -np.inf:
        return b
    return math.log1p(math.exp(a - b)) + b


def log_sub(logx, logy):
    if logx < logy:
        raise ValueError("The result of subtraction must be non-negative.")
    if logy == -np.inf:
        return logx
    if logx == logy:
        return -np.inf
    try:
        return math.log(math.expm1(logx - logy)) + logy
    except OverflowError:
        return logx


def log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * 2**0.5)


def log_a_int(q, sigma, alpha):
    log_a = -np.inf
    for i in range(alpha + 1):
        log_coef_i = math.log(special.binom(alpha, i)) + i * math.log(q) + (alpha - i) * math.log(1 - q)
        s = log_coef_i + (i * i - i) / (2 * (sigma**2))
        log_a = log_add(log_a, s)
    return float(log_a)


def log_a_frac(q, sigma, alpha):
    log_a0, log_a1 = -np.inf, -np.inf
    i = 0
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    while True:
        coef = special.binom(alpha, i)
        log_coef = math.log(abs(coef))
        j = alpha - i
        log_t0 = log_coef + i * math.log(q) + j * math.log(1 - q)
        log_t1 = log_coef + j * math.log(q) + i * math.log(1 - q)
        log_e0 = math.log(0.5) + log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(0.5) + log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * (sigma**2)) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * (sigma**2)) + log_e1
        if coef > 0:
            log_a0 = log_add(log_a0, log_s0)
            log_a1 = log_add(log_a1, log_s1)
        else:
            log_a0 = log_sub(log_a0, log_s0)
            log_a1 = log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            break
    return log_add(log_a0, log_a1)


def compute_rdp_single(q, sigma, alpha):
    if q == 0:
        return 0
    if sigma == 0:
        return np.inf
    if q == 1.0:
        return alpha / (2 * sigma**2)
    if np.isinf(alpha):
        return np.inf
    if float(alpha).is_integer():
        return log_a_int(q, sigma, int(alpha)) / (alpha - 1)
    return log_a_frac(q, sigma, alpha) / (alpha - 1)


def compute_rdp(q, noise_multiplier, steps, orders):
    return np.array([compute_rdp_single(q, noise_multiplier, order) for order in orders]) * steps


def get_privacy_spent(orders, rdp, delta):
    orders_vec = np.atleast_1d(orders)
    rdp_vec = np.atleast_1d(rdp)
    eps = rdp_vec - (np.log(delta) + np.log(orders_vec)) / (orders_vec - 1) + np.log((orders_vec - 1) / orders_vec)
    if np.isnan(eps).all():
        return np.inf, np.nan
    idx_opt = np.nanargmin(eps)
    return eps[idx_opt], orders_vec[idx_opt]


def get_epsilon(history, delta, orders=DEFAULT_ALPHAS):
    """RDPAccountant.get_privacy_spent over a history of (noise_multiplier, sample_rate, steps)."""
    rdp = sum(compute_rdp(q, z, t, orders) for (z, q, t) in history)
    eps, best = get_privacy_spent(orders, rdp, delta)
    return float(eps), float(best)


def get_noise_multiplier(target_epsilon, target_delta, sample_rate, steps, epsilon_tolerance=0.01):
    eps_high = float("inf")
    sigma_low, sigma_high = 0, 10
    while eps_high > target_epsilon:
        sigma_high = 2 * sigma_high
        eps_high, _ = get_epsilon([(sigma_high, sample_rate, steps)], target_delta)
        if sigma_high > MAX_SIGMA:
            raise ValueError("The privacy budget is too low.")
    while target_epsilon - eps_high > epsilon_tolerance:
        sigma = (sigma_low + sigma_high) / 2
        eps, _ = get_epsilon([(sigma, sample_rate, steps)], target_delta)
        if eps < target_epsilon:
            sigma_high = sigma
            eps_high = eps
        else:
            sigma_low = sigma
    return sigma_high


def get_noise_multiplier_bisect_sigma(target_epsilon, target_delta, sample_rate, epochs):
    """The earlier search of opacus/accountants/rdp.py (get_noise_multiplier, sigma_min=0.01):
    bisection on sigma until the bracket is 0.01 wide, returning the last midpoint. The value
    1.425307617 in opacus/tests/accountants_test.py comes from this search, not from utils.py."""
    sigma_min, sigma_max = 0.01, 10.0
    steps = int(epochs / sample_rate)
    eps = float("inf")
    while eps > target_epsilon:
        sigma_max = 2 * sigma_max
        eps, _ = get_epsilon([(sigma_max, sample_rate, steps)], target_delta)
        if sigma_max > 2000:
            raise ValueError("The privacy budget is too low.")
    while sigma_max - sigma_min > 0.01:
        sigma = (sigma_min + sigma_max) / 2
        eps, _ = get_epsilon([(sigma, sample_rate, steps)], target_delta)
        if eps < target_epsilon:
            sigma_max = sigma
        else:
            sigma_min = sigma
    return sigma


def check():
    # opacus/tests/accountants_test.py: test_rdp_accountant (steps = int(90 / 0.04) = 2250)
    eps, _ = get_epsilon([(1.5, 0.04, int(90 / 0.04))], 1e-5)
    assert abs(eps - 7.32911117143) < 5e-8, eps
    # opacus/tests/accountants_test.py: test_get_noise_multiplier
    z_old = get_noise_multiplier_bisect_sigma(8, 1e-5, 0.04, 90)
    assert abs(z_old - 1.425307617) < 5e-8, z_old
    z = get_noise_multiplier(8, 1e-5, 0.04, int(90 / 0.04))
    # TF Privacy compute_dp_sgd_privacy_test.py, Test0..Test2, with TF Privacy's order grid
    tf_orders = [1.25, 1.5, 1.75, 2., 2.25, 2.5, 3., 3.5, 4., 4.5] + list(range(5, 64)) + [128, 256, 512]
    for n, b, nm, ep, d, e_exp, o_exp in [(60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0),
                                          (100000, 100, 1.0, 30, 1e-7, 1.4154988495444845, 13.0),
                                          (100000000, 1024, 0.1, 10, 1e-7, 5907982.31138195, 1.25)]:
        q = b / n
        e, o = get_privacy_spent(tf_orders, compute_rdp(q, nm, int(math.ceil(ep * n / b)), tf_orders), d)
        assert abs(e - e_exp) <= 1e-7 * e_exp and o == o_exp, (e, o)
    print("published values reproduced: eps=%r, z(legacy search)=%r, z(utils.get_noise_multiplier)=%r" % (eps, z_old, z))


def epsilon_grid():
    print("sample_rate,noise_multiplier,steps,delta,epsilon,best_order")
    for q in [0.001, 0.01, 0.05, 0.1, 0.5, 1.0]:
        for z in [0.5, 0.8, 1.0, 1.1, 2.0, 5.0]:
            for steps in [1, 100, 1000, 10000]:
                for delta in [1e-5, 1e-6]:
                    eps, best = get_epsilon([(z, q, steps)], delta)
                    print("%r,%r,%d,%r,%r,%r" % (q, z, steps, delta, eps, best))


def noise_grid():
    print("target_epsilon,delta,sample_rate,steps,noise_multiplier")
    for target in [0.5, 1.0, 2.0, 4.0, 8.0]:
        for q, steps in [(0.001, 1000), (0.01, 1000), (0.01, 10000), (0.04, 2250), (0.1, 100), (1.0, 10)]:
            for delta in [1e-5]:
                try:
                    z = get_noise_multiplier(target, delta, q, steps)
                except ValueError:
                    z = float("nan")
                print("%r,%r,%r,%d,%r" % (target, delta, q, steps, z))


if __name__ == "__main__":
    {"check": check, "epsilon": epsilon_grid, "noise": noise_grid}[sys.argv[1]]()
