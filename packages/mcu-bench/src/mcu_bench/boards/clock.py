"""Clock recipes: a board file's `clock:` block, checked against the reference manuals' limits.

A recipe names the clock tree of the chip's family and the numbers of its PLL, flash wait states,
regulator scale and bus prescalers. `parse_clock` checks every range (PLL input and VCO, SYSCLK,
bus clocks, minimum wait states) and computes the core clock; the board loader compares that with
the board's `clock_hz`. The firmware's set-up code (firmware/clock_stm32f4f7.c, clock_stm32h7.c)
gets the numbers as `-D BENCH_CLOCK_*` defines, register fields already encoded.

Families: `stm32f4` (RM0402 and its siblings with a two-bit VOS: F41x, F42x, F43x, F446), `stm32f7`
(RM0385, RM0410), `stm32h7` (RM0433: H742/H743/H750/H753 with the LDO supply). Limits checked are the
family's own; a part's datasheet may be stricter (an F412 runs at 100 MHz, not the family's 180).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

MHZ = 1_000_000
FAMILY_CORE = {"stm32f4": "cortex-m4", "stm32f7": "cortex-m7", "stm32h7": "cortex-m7"}
FAMILIES = tuple(FAMILY_CORE)
SOURCES = ("hsi", "hse")

#: AHB-style prescaler (F4/F7 HPRE, H7 D1CPRE and HPRE): divider -> register field.
AHB_FIELD = {1: 0, 2: 8, 4: 9, 8: 10, 16: 11, 64: 12, 128: 13, 256: 14, 512: 15}
#: APB prescaler (PPRE1/2, D1PPRE, D2PPRE1/2, D3PPRE): divider -> register field.
APB_FIELD = {1: 0, 2: 4, 4: 5, 8: 6, 16: 7}
#: Regulator scale -> VOS field (F4, F7 PWR_CR(1); H7 PWR_D3CR, where scale 0 is scale 1 + SYSCFG ODEN).
VOS_FIELD = {0: 3, 1: 3, 2: 2, 3: 1}

_COMMON = {"family", "source", "hse_hz", "hse_bypass", "pll_m", "pll_n", "pll_p", "flash_latency", "vos"}
_F4F7_KEYS = _COMMON | {"overdrive", "ahb_div", "apb1_div", "apb2_div"}
_H7_KEYS = _COMMON | {"flash_wrhighfreq", "d1cpre", "hpre", "d1ppre", "d2ppre1", "d2ppre2", "d3ppre"}

# STM32F7 (RM0385 5.1.4, DS10916): core clock limit by regulator scale, without and with over-drive.
_F7_MAX_HZ = {1: (180 * MHZ, 216 * MHZ), 2: (168 * MHZ, 180 * MHZ), 3: (144 * MHZ, 144 * MHZ)}
# STM32H7 (RM0433 6.8, DS12110 rev V): sys_ck / CPU, AXI (HCLK) and APB limits by regulator scale.
_H7_MAX_HZ = {
    0: (480 * MHZ, 240 * MHZ, 120 * MHZ),
    1: (400 * MHZ, 200 * MHZ, 100 * MHZ),
    2: (300 * MHZ, 150 * MHZ, 75 * MHZ),
    3: (200 * MHZ, 100 * MHZ, 50 * MHZ),
}
# RM0433 table 17 (VCORE by VOS): (highest AXI clock, wait states, WRHIGHFREQ), in MHz.
_H7_FLASH = {
    0: ((70, 0, 0), (140, 1, 1), (185, 2, 1), (210, 2, 2), (225, 3, 2), (240, 4, 2)),
    1: ((70, 0, 0), (140, 1, 1), (185, 2, 1), (210, 2, 2), (225, 3, 2)),
    2: ((55, 0, 0), (110, 1, 1), (165, 2, 1), (225, 3, 2)),
    3: ((45, 0, 0), (90, 1, 1), (135, 2, 1), (180, 3, 2), (225, 4, 2)),
}


@dataclass(frozen=True)
class ClockRecipe:
    """A checked clock recipe: its settings (defaults filled in), the clocks it gives, its -D defines."""

    family: str
    settings: dict = field(compare=False)
    core_hz: int  # the CPU clock the recipe gives (F4/F7 HCLK, H7 sys_ck / D1CPRE)
    reset_hz: int  # the core clock after reset (HSI), where the firmware falls back on a failure
    defines: tuple[str, ...]

    @property
    def source_file(self) -> str:
        """The firmware's C file that sets this family's clocks up."""
        return "clock_stm32h7.c" if self.family == "stm32h7" else "clock_stm32f4f7.c"


def parse_clock(block: object) -> ClockRecipe:
    """Check a `clock:` block; ValueError saying which number is out of which range."""
    if not isinstance(block, dict):
        raise ValueError("clock: expected a mapping (family: stm32f7, source: hsi, pll_m: ..., ...)")
    family = block.get("family")
    if family not in FAMILIES:
        raise ValueError(f"clock: family {family!r} not supported (supported: {', '.join(FAMILIES)})")
    keys = _H7_KEYS if family == "stm32h7" else _F4F7_KEYS
    unknown = set(block) - keys
    if unknown:
        raise ValueError(f"clock: unknown keys for {family}: {', '.join(sorted(unknown))}")
    missing = {"source", "pll_m", "pll_n", "pll_p", "flash_latency"} - set(block)
    if missing:
        raise ValueError(f"clock: missing keys: {', '.join(sorted(missing))}")
    return _stm32h7(dict(block)) if family == "stm32h7" else _stm32f4f7(dict(block), family)


def _stm32f4f7(s: dict, family: str) -> ClockRecipe:
    hsi = 16 * MHZ
    src = _source(s, hsi, hse_max=26 * MHZ)
    m, n, p = _int(s, "pll_m", 2, 63), _int(s, "pll_n", 50, 432), _int(s, "pll_p", 2, 8)
    if p % 2:
        raise ValueError(f"clock: pll_p must be 2, 4, 6 or 8, got {p}")
    ref = Fraction(src, m)
    _within("PLL input (source / pll_m)", ref, Fraction(95, 100) * MHZ, Fraction(21, 10) * MHZ)
    vco = ref * n
    _within("VCO (PLL input * pll_n)", vco, 100 * MHZ, 432 * MHZ)
    sysclk = vco / p
    s.setdefault("vos", 1)
    s.setdefault("overdrive", False)
    vos, overdrive = _int(s, "vos", 1, 3), _bool(s, "overdrive")
    ahb = _divider(s, "ahb_div", AHB_FIELD, default=1)
    hclk = sysclk / ahb
    if family == "stm32f7":
        if overdrive and vos == 3:
            raise ValueError("clock: overdrive needs vos 1 or 2 (RM0385 5.1.4)")
        top = _F7_MAX_HZ[vos][overdrive]
        apb1_max, apb2_max = (54 * MHZ, 108 * MHZ) if overdrive else (45 * MHZ, 90 * MHZ)
    else:
        top = 180 * MHZ if overdrive else 168 * MHZ
        apb1_max, apb2_max = 50 * MHZ, 100 * MHZ
    over = "with" if overdrive else "without"
    _at_most(f"core clock (SYSCLK / ahb_div; vos {vos}, {over} overdrive)", hclk, top)
    apb1 = _apb(s, "apb1_div", hclk, apb1_max)
    apb2 = _apb(s, "apb2_div", hclk, apb2_max)
    latency = _int(s, "flash_latency", 0, 15)
    least = max(0, math.ceil(hclk / (30 * MHZ)) - 1)  # 30 MHz per wait state at 2.7-3.6 V
    if latency < least:
        raise ValueError(
            f"clock: flash_latency {latency} is too low for {_mhz(hclk)} (at least {least} at 2.7-3.6 V)"
        )
    defines = {
        "F4": int(family == "stm32f4"),
        "PLL_M": m,
        "PLL_N": n,
        "PLL_P_FIELD": p // 2 - 1,
        "VOS_FIELD": VOS_FIELD[vos],
        "OVERDRIVE": int(overdrive),
        "FLASH_LATENCY": latency,
        "HPRE_FIELD": AHB_FIELD[ahb],
        "PPRE1_FIELD": APB_FIELD[apb1],
        "PPRE2_FIELD": APB_FIELD[apb2],
    }
    return _recipe(family, s, hclk, hsi, defines)


def _stm32h7(s: dict) -> ClockRecipe:
    hsi = 64 * MHZ
    src = _source(s, hsi, hse_max=48 * MHZ)
    s.setdefault("vos", 1)
    vos = _int(s, "vos", 0, 3)
    m, n, p = _int(s, "pll_m", 1, 63), _int(s, "pll_n", 4, 512), _int(s, "pll_p", 2, 128)
    if p % 2:
        raise ValueError(f"clock: pll_p must be even for PLL1 (RM0433 8.7.13), got {p}")
    ref = Fraction(src, m)
    _within("PLL input (source / pll_m)", ref, 1 * MHZ, 16 * MHZ)
    wide = ref >= 2 * MHZ  # VCOSEL: wide VCO from a 2-16 MHz input, medium VCO from 1-2 MHz
    vco = ref * n
    if wide:  # rev V parts reach 960 MHz; VOS0 (480 MHz) exists only on them
        _within("VCO (PLL input * pll_n, wide range)", vco, 192 * MHZ, (960 if vos == 0 else 836) * MHZ)
    else:
        _within("VCO (PLL input * pll_n, medium range for a 1-2 MHz input)", vco, 150 * MHZ, 420 * MHZ)
    sys_ck = vco / p
    cpu_max, axi_max, apb_max = _H7_MAX_HZ[vos]
    _at_most(f"sys_ck (VCO / pll_p) at vos {vos}", sys_ck, cpu_max)
    cpu = sys_ck / _divider(s, "d1cpre", AHB_FIELD, default=1)
    axi = cpu / _divider(s, "hpre", AHB_FIELD, default=_least(AHB_FIELD, cpu, axi_max))
    _at_most(f"AXI/AHB clock (core / hpre) at vos {vos}", axi, axi_max)
    apbs = {key: _apb(s, key, axi, apb_max) for key in ("d1ppre", "d2ppre1", "d2ppre2", "d3ppre")}
    latency = _int(s, "flash_latency", 0, 7)
    least, wrhigh = next((ws, wr) for top, ws, wr in _H7_FLASH[vos] if axi <= top * MHZ)
    if latency < least:
        raise ValueError(
            f"clock: flash_latency {latency} is too low for an AXI clock of {_mhz(axi)} at vos {vos} "
            f"(at least {least}, RM0433 table 17)"
        )
    s.setdefault("flash_wrhighfreq", wrhigh)
    if _int(s, "flash_wrhighfreq", 0, 3) < wrhigh:
        raise ValueError(f"clock: flash_wrhighfreq must be at least {wrhigh} for {_mhz(axi)} at vos {vos}")
    defines = {
        "PLL_M": m,
        "PLL_N": n,
        "PLL_P": p,
        "PLL_RGE": int(math.log2(ref / MHZ)) if ref < 16 * MHZ else 3,
        "PLL_VCOSEL": 0 if wide else 1,
        "VOS": vos,
        "VOS_FIELD": VOS_FIELD[vos],
        "FLASH_LATENCY": latency,
        "FLASH_WRHIGHFREQ": s["flash_wrhighfreq"],
        "D1CPRE_FIELD": AHB_FIELD[s["d1cpre"]],
        "HPRE_FIELD": AHB_FIELD[s["hpre"]],
        **{f"{key.upper()}_FIELD": APB_FIELD[div] for key, div in apbs.items()},
    }
    return _recipe("stm32h7", s, cpu, hsi, defines)


def _recipe(family: str, s: dict, core: Fraction, hsi: int, defines: dict[str, int]) -> ClockRecipe:
    if core.denominator != 1:
        raise ValueError(f"clock: the core clock {float(core):.1f} Hz is not a whole number of Hz")
    common = {
        "HZ": int(core),
        "HSI_HZ": hsi,
        "USE_HSE": int(s["source"] == "hse"),
        "HSE_BYPASS": int(s.get("hse_bypass", False)),
    }
    flags = tuple(f"-DBENCH_CLOCK_{name}={value}" for name, value in {**common, **defines}.items())
    return ClockRecipe(family=family, settings=s, core_hz=int(core), reset_hz=hsi, defines=flags)


def _source(s: dict, hsi: int, *, hse_max: int) -> int:
    """The PLL's input clock in Hz: HSI, or the board's HSE crystal (or bypass clock)."""
    source = s["source"]
    if source not in SOURCES:
        raise ValueError(f"clock: source {source!r} not supported (hsi or hse)")
    if source == "hsi":
        if "hse_hz" in s or "hse_bypass" in s:
            raise ValueError("clock: hse_hz and hse_bypass apply only to source: hse")
        return hsi
    s.setdefault("hse_bypass", False)
    bypass = _bool(s, "hse_bypass")
    if "hse_hz" not in s:
        raise ValueError("clock: source hse needs hse_hz (the crystal's or bypass clock's frequency)")
    low, high = (1 * MHZ, 50 * MHZ) if bypass else (4 * MHZ, hse_max)
    return _int(s, "hse_hz", low, high)


def _apb(s: dict, key: str, bus: Fraction, most: int) -> int:
    """An APB prescaler: the recipe's, or the smallest that keeps that bus within its limit."""
    div = _divider(s, key, APB_FIELD, default=_least(APB_FIELD, bus, most))
    _at_most(f"APB clock ({key})", bus / div, most)
    return div


def _least(choices: dict[int, int], clock: Fraction, most: int) -> int:
    return next((div for div in choices if clock / div <= most), max(choices))


def _divider(s: dict, key: str, choices: dict[int, int], *, default: int) -> int:
    s.setdefault(key, default)
    value = s[key]
    if isinstance(value, bool) or value not in choices:
        raise ValueError(f"clock: {key} must be one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def _int(s: dict, key: str, low: int, high: int) -> int:
    value = s[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"clock: {key} must be an integer from {low} to {high}, got {value!r}")
    return value


def _bool(s: dict, key: str) -> bool:
    if not isinstance(s[key], bool):
        raise ValueError(f"clock: {key} must be true or false, got {s[key]!r}")
    return s[key]


def _at_most(what: str, value: Fraction, high: float) -> None:
    if value > high:
        raise ValueError(f"clock: {what} is {_mhz(value)}, above the {_mhz(high)} limit")


def _within(what: str, value: Fraction, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"clock: {what} is {_mhz(value)}, outside {_mhz(low)} .. {_mhz(high)}")


def _mhz(hz: float) -> str:
    return f"{float(hz) / MHZ:g} MHz"
