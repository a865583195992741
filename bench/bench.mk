# Benchmarks (make bench): included by the top Makefile.  See bench/README.md.
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

$(OUT)/bench/%: bench/%.c | $(OUT)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -o $@ $<

bench-build: $(OUT)/nettrace $(BENCH_BINS)

# The whole run is bounded (BENCH_TIMEOUT seconds, default 900: a run takes ~520 s here).
bench: bench-build
	$(Q)timeout -k 10 $${BENCH_TIMEOUT:-900} bench/run.sh

.PHONY: bench bench-build
