-- paced.lua: wrk script for a health checker's pace, not a flood. Each
-- connection waits 10 ms after each answer before the next request, so
-- "wrk -c4 -s paced.lua" sends at most about 400 requests a second: far
-- more than kubelet and Prometheus together, and few enough that the
-- latency measured is the wait behind probe work, not a queue of our own
-- requests.
function delay()
	return 10
end
