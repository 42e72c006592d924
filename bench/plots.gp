# SPDX-License-Identifier: 0BSD
# bench/plots.gp: the plots of one `make bench` run.
#   gnuplot -e "dir='bench/out/run'" bench/plots.gp
# Reads the .dat files bench/bench.sh and bench/report.sh left in DIR and
# writes DIR/*.png. A plot whose data is missing is skipped.

if (!exists("dir")) dir = "bench/out/run"
f(name) = dir . "/" . name
have(name) = system("test -s '" . f(name) . "' && echo 1 || echo 0") eq "1"

set terminal pngcairo size 1000,560 font "DejaVu Sans,11" noenhanced
set grid
set key top left box opaque
set datafile missing "nan"
set style line 1 lc rgb "#1f77b4" lw 2 pt 7 ps 1.2
set style line 2 lc rgb "#ff7f0e" lw 2 pt 5 ps 1.2
set style line 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.4
set style line 4 lc rgb "#9467bd" lw 2 pt 13 ps 1.4

# --- bulk: the headline comparison ----------------------------------------
if (have("plot_bulk.dat")) {
	set output f("bulk.png")
	set title "Bulk throughput, 16 KiB messages, one association (median of the rounds, same run)"
	set ylabel "Mbit/s at the receiver (emulated machine: compare, do not quote)"
	set style fill solid 0.8 border -1
	set boxwidth 0.6
	set xtics rotate by -25 scale 0
	set yrange [0:*]
	# Room above the tallest bar for its label.
	set offsets 0, 0, graph 0.08, 0
	unset key
	plot f("plot_bulk.dat") using 0:2:(($0 < 3) ? 0xaec7e8 : ($0 < 5) ? 0x1f77b4 : 0x2ca02c):xtic(1) \
		with boxes lc rgb variable, \
	     "" using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.8
	unset xtics; set xtics; unset style fill; set key top left box opaque
	set offsets 0, 0, 0, 0
	set yrange [*:*]
}

# --- buffers ------------------------------------------------------------------
if (have("plot_buffers.dat")) {
	set output f("buffers.png")
	set title "Socket buffers (-w: SO_SNDBUF and SO_RCVBUF), 16 KiB messages, no Nagle"
	set xlabel "buffer asked for, bytes"
	set ylabel "Mbit/s"
	set logscale x 2
	set xtics ("64 KiB" 65536, "256 KiB" 262144, "1 MiB" 1048576, "4 MiB" 4194304)
	plot f("plot_buffers.dat") using (strcol(1) eq "sctp" ? $2 : 1/0):3 with linespoints ls 1 title "SCTP (bench/bulk)", \
	     "" using (strcol(1) eq "tcp" ? $2 : 1/0):3 with linespoints ls 3 title "TCP (bench/bulk -T)"
	unset logscale x; set xtics autofreq; unset xlabel
}

# --- growth with the message size -------------------------------------------------
if (have("plot_sizes.dat") || have("plot_echo_sizes.dat")) {
	set output f("sizes.png")
	set multiplot layout 1,2 title "Cost as the message grows"
	set logscale x 2
	set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "16K" 16384, "64K" 65536)
	set xrange [48:90000]
	set xlabel "message size, bytes"
	if (have("plot_sizes.dat")) {
		set title "bulk throughput (-w 1 MiB, no Nagle)"
		set ylabel "Mbit/s"
		set logscale y
		plot f("plot_sizes.dat") using 1:2 with linespoints ls 1 title "SCTP bench/bulk", \
		     "" using 1:3 with linespoints ls 2 title "iperf3 --sctp", \
		     "" using 1:4 with linespoints ls 3 title "TCP bench/bulk -T"
		unset logscale y
	}
	if (have("plot_echo_sizes.dat")) {
		set title "echo round trips, 1 client"
		set ylabel "round trips per second"
		set logscale y
		plot f("plot_echo_sizes.dat") using 1:2 with linespoints ls 1 title "one-to-many", \
		     "" using 1:3 with linespoints ls 2 title "one-to-one", \
		     "" using 1:4 with linespoints ls 3 title "TCP"
		unset logscale y
	}
	unset multiplot
	unset logscale x; set xtics autofreq; unset xlabel; set xrange [*:*]
}

# --- echo: growth with the associations ----------------------------------------------
if (have("plot_echo.dat")) {
	set output f("echo.png")
	set multiplot layout 1,2 title "Echo servers, 64-byte messages, one in flight per client"
	set logscale x 10
	set xlabel "concurrent clients (associations / connections)"
	set title "round trips per second"
	set ylabel "round trips per second"
	set yrange [0:*]
	plot f("plot_echo.dat") using 1:2 with linespoints ls 1 title "one-to-many (echo_server_many)", \
	     "" using 1:3 with linespoints ls 2 title "one-to-one (echo_server)", \
	     "" using 1:4 with linespoints ls 3 title "TCP (tcp_echo_server)"
	set title "p99 round trip"
	set ylabel "ms"
	set logscale y
	set yrange [*:*]
	plot f("plot_echo.dat") using 1:($5/1000) with linespoints ls 1 title "one-to-many", \
	     "" using 1:($6/1000) with linespoints ls 2 title "one-to-one", \
	     "" using 1:($7/1000) with linespoints ls 3 title "TCP"
	unset multiplot
	unset logscale; unset xlabel
}

# --- head-of-line blocking ------------------------------------------------------------------
if (have("plot_hol_streams_intact.dat")) {
	set output f("hol.png")
	set multiplot layout 1,2 title "One-way delay under loss (20 ms each way; 5% of flow 0's packets dropped)"
	set xlabel "one-way delay, ms"
	set ylabel "fraction of messages"
	set yrange [0:1.02]
	set key bottom right box opaque
	set logscale x
	set xrange [15:*]
	do for [part in "intact lossy"] {
		set title (part eq "intact" ? "flows 1-3: nothing of theirs is lost" : "flow 0: its own losses")
		plot f("plot_hol_streams_" . part . ".dat") using 1:2 with steps ls 1 title "SCTP, 4 streams", \
		     f("plot_hol_one_" . part . ".dat") using 1:2 with steps ls 2 title "SCTP, 1 stream", \
		     f("plot_hol_tcp_" . part . ".dat") using 1:2 with steps ls 3 title "TCP", \
		     f("plot_hol_unordered_" . part . ".dat") using 1:2 with steps ls 4 dt 2 title "SCTP, unordered"
	}
	unset multiplot
	unset logscale; set xrange [*:*]; set yrange [*:*]; unset xlabel
	set key top left box opaque
}

# --- failover timeline --------------------------------------------------------------------------
if (have("timeline_tuned.dat")) {
	set output f("failover.png")
	set multiplot layout 2,1 title "Echoes per 100 ms by the path they came back on; primary path broken at 0"
	set style fill solid 0.85 noborder
	set boxwidth 100 absolute
	set xrange [-2000:8000]
	set yrange [0:*]
	set ylabel "echoes / 100 ms"
	set key top right box opaque
	do for [cfg in "default tuned"] {
		file = f("timeline_" . cfg . ".dat")
		if (have("timeline_" . cfg . ".dat")) {
			repair = real(system("sed -nE 's/.*repair at (-?[0-9]+) ms.*/\\1/p' '" . file . "'"))
			set title (cfg eq "tuned" ? "tuned (multihome/failover.sh -f): RTO 200-500 ms, heartbeats every 500 ms" : "kernel defaults: RTO min 1 s, initial 3 s")
			set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "red" lw 2
			set label 1 "fault" at 50, graph 0.6 tc rgb "red"
			if (repair < 8000) {
				set arrow 2 from repair, graph 0 to repair, graph 1 nohead lc rgb "dark-green" lw 2 dt 2
				set label 2 "repair" at repair + 50, graph 0.6 tc rgb "dark-green"
			} else { unset arrow 2; unset label 2 }
			set xlabel (cfg eq "tuned" ? "ms after the fault" : "")
			plot file using ($1 + 50):($2 + $3) with boxes lc rgb "#ff7f0e" title "via 10.131.2.2 (alternate)", \
			     "" using ($1 + 50):2 with boxes lc rgb "#1f77b4" title "via 10.131.1.2 (primary)"
		}
	}
	unset multiplot
	unset arrow; unset label
}
