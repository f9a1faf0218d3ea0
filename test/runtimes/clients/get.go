// get.go: the oracle's Go client. One GET per NAME=URL argument with the
// default client and Go's default trust store, one line per argument:
// NAME, "ok" or "fail", and the error as Go prints it.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	c := &http.Client{Timeout: 10 * time.Second}
	for _, a := range os.Args[1:] {
		i := strings.IndexByte(a, '=')
		resp, err := c.Get(a[i+1:])
		if err != nil {
			fmt.Printf("%s\tfail\t%s\n", a[:i],
			    strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("%s\tok\t-\n", a[:i])
	}
}
