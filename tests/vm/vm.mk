# SPDX-License-Identifier: GPL-2.0
# VM tests (included by the top Makefile).
#
#   make vmtest                         the integration suites (all but static)
#                                       in 6.1, 6.12 and 5.10 guests, two at a time,
#                                       and the lifecycle through perf buffers (6.12:perfbuf)
#   make vmtest KERNEL=<pkg|6.1|6.12>   one kernel (a Debian image/meta package)
#   make vmtest VM_SUITES="drop"        other tests/run.sh arguments
# (make test runs the same through tests/run.sh's "vm" suite.)
#   make vmshell-check KERNEL=6.12      nettrace --check in the guest
#
# Needs qemu-system-x86 and busybox-static; kernels are cached in
# $(NT_VM_CACHE) (default ~/.cache/nettrace-vm).

VM_KERNELS ?= $(if $(KERNEL),$(KERNEL),6.1 6.12 5.10 6.12:perfbuf)
VM_SUITES  ?=
VM_TIMEOUT ?= 1800

vmtest: $(OUT)/nettrace test-build
	$(Q)OUT=$(OUT) NT_VM_KERNELS="$(VM_KERNELS)" NT_VM_SUITES="$(VM_SUITES)" \
		NT_VM_TIMEOUT=$(VM_TIMEOUT) tests/vm/vm-suite.sh

vmshell-check: $(OUT)/nettrace
	$(Q)set -e; for k in $(filter-out %:perfbuf,$(VM_KERNELS)); do \
		OUT=$(OUT) tests/vm/run-vm.sh -q -k $$k -t 120 -- "$(OUT)/nettrace --check"; \
	done

.PHONY: vmtest vmshell-check
