"""A register model of the STM32 clock tree, to run the firmware's clock set-up without a board.

The firmware's real clock code (cross-compiled with the board's flags and its recipe's defines) runs
in Unicorn, a CPU emulator; its accesses to RCC, PWR, SYSCFG and FLASH land in this model, which
behaves as the reference manuals describe (a ready flag follows its enable bit, SWS follows SW, the
PWR registers ignore writes while their bus clock is off, PWR_CR3 on H7 is write-once) and records
every write and every rule the code breaks (the PLL reconfigured while on, a switch to a PLL that
has not locked, too few flash wait states or a low regulator scale for the new clock). `stuck` names
ready flags that never come, to exercise the bounded waits.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, Uc
from unicorn.arm_const import UC_ARM_REG_LR, UC_ARM_REG_R0, UC_ARM_REG_SP, UC_CPU_ARM_CORTEX_M7

from mcu_bench.boards import Board
from mcu_bench.build import CROSS_CC, cortexm_cflags
from mcu_bench.firmware import FIRMWARE_DIR

CODE, RAM, RETURN = 0x0800_0000, 0x2000_0000, 0x0800_F000
HZ_WORD, STACK_TOP = RAM + 0x100, RAM + 0x4000

# STM32F4/F7 (RM0402, RM0385)
F_RCC_CR, F_PLLCFGR, F_CFGR, F_APB1ENR = 0x4002_3800, 0x4002_3804, 0x4002_3808, 0x4002_3840
F_PWR_CR, F_PWR_CSR, F_FLASH_ACR = 0x4000_7000, 0x4000_7004, 0x4002_3C00
# STM32H7 (RM0433)
H_RCC_CR, H_CFGR, H_D1CFGR, H_PLLCKSELR = 0x5802_4400, 0x5802_4410, 0x5802_4418, 0x5802_4428
H_PLLCFGR, H_PLL1DIVR, H_APB4ENR = 0x5802_442C, 0x5802_4430, 0x5802_44F4
H_PWR_CSR1, H_PWR_CR3, H_PWR_D3CR = 0x5802_4804, 0x5802_480C, 0x5802_4818
H_SYSCFG_PWRCR, H_FLASH_ACR = 0x5800_042C, 0x5200_2000


def bit(n: int) -> int:
    return 1 << n


def bits(value: int, low: int, width: int) -> int:
    """The field of `width` bits at `low` in `value`."""
    return (value >> low) & ((1 << width) - 1)


@dataclass
class ClockModel:
    """The registers (reset values), what was written in order, and the rules broken."""

    family: str
    stuck: set[str] = field(default_factory=set)  # ready flags that never set: "hsi", "pll", "od", ...
    need_latency: int = 0  # flash wait states the target clock needs when SYSCLK switches to the PLL
    need_vos: int = 3  # regulator field the target clock needs then (F4/F7 VOS; H7 D3CR VOS, +4 for ODEN)
    need_overdrive: bool = False  # F7: over-drive must be on when SYSCLK switches to the PLL
    regs: dict[int, int] = field(default_factory=dict)
    writes: list[tuple[int, int]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.family == "stm32h7":
            self.regs = {H_RCC_CR: 0x25, H_CFGR: 0, H_D1CFGR: 0, H_PLLCKSELR: 0x0202_0200,
                         H_PLLCFGR: 0x01FF_0000, H_PLL1DIVR: 0x0101_0280, H_APB4ENR: 0, H_PWR_CSR1: 0,
                         H_PWR_CR3: 0x6, H_PWR_D3CR: 0x4000, H_SYSCFG_PWRCR: 0,
                         H_FLASH_ACR: 0x37}  # fmt: skip
        else:
            self.regs = {F_RCC_CR: 0x83, F_PLLCFGR: 0x2400_3010, F_CFGR: 0, F_APB1ENR: 0,
                         F_PWR_CR: 0x8000, F_PWR_CSR: 0, F_FLASH_ACR: 0}  # fmt: skip

    # -- what the hardware shows on a read ------------------------------------------------------

    def read(self, address: int) -> int:
        value = self.regs.get(address, 0)
        if self.family == "stm32h7":
            return self._read_h7(address, value)
        return self._read_f4f7(address, value)

    def _ready(self, value: int, enable: int, ready: int, name: str) -> int:
        value &= ~bit(ready)
        return value | (bit(ready) if value & bit(enable) and name not in self.stuck else 0)

    def _read_f4f7(self, address: int, value: int) -> int:
        if address == F_RCC_CR:
            value = self._ready(value, 0, 1, "hsi")
            value = self._ready(value, 16, 17, "hse")
            return self._ready(value, 24, 25, "pll")
        if address == F_CFGR:
            return (value & ~0xC) | (bits(value, 0, 2) << 2 if "sws" not in self.stuck else 0)
        if address == F_PWR_CSR:
            cr, pll_on = self.regs[F_PWR_CR], self.regs[F_RCC_CR] & bit(24)
            vos_ready = pll_on and "vos" not in self.stuck
            od_ready = cr & bit(16) and "od" not in self.stuck
            return (
                (bit(14) if vos_ready else 0)
                | (bit(16) if od_ready else 0)
                | (bit(17) if cr & bit(17) and od_ready else 0)
            )
        return value

    def _read_h7(self, address: int, value: int) -> int:
        if address == H_RCC_CR:
            value = self._ready(value, 0, 2, "hsi") | bit(5)  # HSIDIVF: the divider is where it was set
            value = self._ready(value, 16, 17, "hse")
            return self._ready(value, 24, 25, "pll")
        if address == H_CFGR:
            return (value & ~0x38) | (bits(value, 0, 3) << 3 if "sws" not in self.stuck else 0)
        if address == H_PWR_CSR1:
            return bit(13) if not self.regs[H_PWR_CR3] & bit(2) and "supply" not in self.stuck else 0
        if address == H_PWR_D3CR:
            return value | (bit(13) if "vos" not in self.stuck else 0)
        return value

    # -- writes, and the rules of the reference manuals ------------------------------------------

    def write(self, address: int, value: int) -> None:
        self.writes.append((address, value))
        if self.family == "stm32h7":
            self._write_h7(address, value)
        else:
            self._write_f4f7(address, value)

    def _write_f4f7(self, address: int, value: int) -> None:
        old, pll_on = self.regs.get(address, 0), self.regs[F_RCC_CR] & bit(24)
        if address in (F_PWR_CR, F_PWR_CSR) and not self.regs[F_APB1ENR] & bit(28):
            self.broken.append("PWR written with its clock off (the write is lost)")
            return
        if address == F_PLLCFGR and pll_on:
            self.broken.append("PLLCFGR written while the PLL is on")
        if address == F_PWR_CR and bits(value ^ old, 14, 2) and pll_on:
            self.broken.append("VOS changed while the PLL is on")
        if address == F_RCC_CR and bits(value ^ old, 18, 1) and old & bit(16):
            self.broken.append("HSEBYP changed while HSE is on")
        if address == F_CFGR and bits(value, 0, 2) == 2 and bits(old, 0, 2) != 2:
            self._check_switch(
                self.read(F_RCC_CR) & bit(25),
                bits(self.regs[F_FLASH_ACR], 0, 4),
                bits(self.regs[F_PWR_CR], 14, 2),
            )
            overdrive = self.read(F_PWR_CSR) & bit(17)
            if self.need_overdrive and not overdrive:
                self.broken.append("SYSCLK switched to the PLL before over-drive was on")
        self.regs[address] = value

    def _write_h7(self, address: int, value: int) -> None:
        old, pll_on = self.regs.get(address, 0), self.regs[H_RCC_CR] & bit(24)
        if address == H_PWR_CR3 and not old & bit(2):
            self.broken.append("PWR_CR3 written a second time (write-once: ignored)")
            return
        if address in (H_PLLCKSELR, H_PLLCFGR, H_PLL1DIVR) and pll_on:
            self.broken.append("PLL1 reconfigured while on")
        if address == H_SYSCFG_PWRCR and not self.regs[H_APB4ENR] & bit(1):
            self.broken.append("SYSCFG written with its clock off (the write is lost)")
            return
        if address == H_CFGR and bits(value, 0, 3) == 3 and bits(old, 0, 3) != 3:
            vos = bits(self.regs[H_PWR_D3CR], 14, 2) | (4 if self.regs[H_SYSCFG_PWRCR] & 1 else 0)
            self._check_switch(self.read(H_RCC_CR) & bit(25), bits(self.regs[H_FLASH_ACR], 0, 4), vos)
        self.regs[address] = value

    def _check_switch(self, locked: int, latency: int, vos: int) -> None:
        if not locked:
            self.broken.append("SYSCLK switched to a PLL that has not locked")
        if latency < self.need_latency:
            self.broken.append(f"SYSCLK switched to the PLL with {latency} flash wait states")
        if vos != self.need_vos:
            self.broken.append(f"SYSCLK switched to the PLL at regulator field {vos}")

    def last_write(self, address: int) -> int:
        """Index in `writes` of the last write to `address` (-1 if none)."""
        hits = [i for i, (a, _) in enumerate(self.writes) if a == address]
        return hits[-1] if hits else -1


def build_clock_code(board: Board, out_dir: Path, extra: tuple[str, ...] = ()) -> tuple[bytes, int]:
    """The board's clock set-up, compiled as the firmware build does (-Werror -Wextra on top) and
    linked alone at CODE: the image and the address of `bench_clock_setup`."""
    recipe = board.clock
    out_dir.mkdir(parents=True, exist_ok=True)
    elf, image = out_dir / "clock.elf", out_dir / "clock.bin"
    flags = [*cortexm_cflags(board), *recipe.defines, *extra, "-Werror", "-Wextra", f"-I{FIRMWARE_DIR}"]
    link = ["-nostdlib", "-Wl,--entry=bench_clock_setup", f"-Wl,-Ttext={CODE:#x}", "-Wl,--build-id=none"]
    source = FIRMWARE_DIR / recipe.source_file
    subprocess.run([CROSS_CC, *flags, *link, str(source), "-o", str(elf)], check=True, capture_output=True)
    subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", str(elf), str(image)], check=True)
    nm = subprocess.run(["arm-none-eabi-nm", str(elf)], check=True, capture_output=True, text=True).stdout
    entry = next(int(line.split()[0], 16) for line in nm.splitlines() if line.endswith(" bench_clock_setup"))
    return image.read_bytes(), entry


def run_clock_setup(image: bytes, entry: int, model: ClockModel) -> tuple[int, int]:
    """Call `bench_clock_setup(&hz)` on the model; (status, hz)."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M7)
    uc.mem_map(CODE, 0x10000)
    uc.mem_write(CODE, image)
    uc.mem_map(RAM, 0x10000)
    pages = sorted({address & ~0xFFF for address in model.regs})
    for page in pages:
        uc.mmio_map(
            page, 0x1000,
            lambda _uc, offset, _size, base: model.read(base + offset), page,
            lambda _uc, offset, _size, value, base: model.write(base + offset, value), page,
        )  # fmt: skip
    uc.reg_write(UC_ARM_REG_SP, STACK_TOP)
    uc.reg_write(UC_ARM_REG_LR, RETURN | 1)
    uc.reg_write(UC_ARM_REG_R0, HZ_WORD)
    uc.emu_start(entry | 1, RETURN, count=50_000_000)
    hz = int.from_bytes(uc.mem_read(HZ_WORD, 4), "little")
    return uc.reg_read(UC_ARM_REG_R0), hz
