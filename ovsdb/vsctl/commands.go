package vsctl

// commandSpec describes one ovs-vsctl command: its argument counts
// (maxArgs -1: unlimited), accepted options and implementation.
type commandSpec struct {
	minArgs, maxArgs int
	options          string
	run              func(*context) error
}

var commandTable map[string]*commandSpec

func init() {
	commandTable = map[string]*commandSpec{
		"init":               {0, 0, "", cmdInit},
		"show":               {0, 0, "", cmdShow},
		"emer-reset":         {0, 0, "", cmdEmerReset},
		"add-br":             {1, 3, "--may-exist", cmdAddBr},
		"del-br":             {1, 1, "--if-exists", cmdDelBr},
		"list-br":            {0, 0, "--real --fake", cmdListBr},
		"br-exists":          {1, 1, "", cmdBrExists},
		"br-to-vlan":         {1, 1, "", cmdBrToVlan},
		"br-to-parent":       {1, 1, "", cmdBrToParent},
		"br-set-external-id": {2, 3, "", cmdBrSetExternalID},
		"br-get-external-id": {1, 2, "", cmdBrGetExternalID},
		"list-ports":         {1, 1, "", cmdListPorts},
		"add-port":           {2, -1, "--may-exist", cmdAddPort},
		"add-bond":           {4, -1, "--may-exist --fake-iface", cmdAddBond},
		"del-port":           {1, 2, "--if-exists --with-iface", cmdDelPort},
		"port-to-br":         {1, 1, "", cmdPortToBr},
		"list-ifaces":        {1, 1, "", cmdListIfaces},
		"iface-to-br":        {1, 1, "", cmdIfaceToBr},
		"get-controller":     {1, 1, "", cmdGetController},
		"del-controller":     {1, 1, "", cmdDelController},
		"set-controller":     {1, -1, "--inactivity-probe", cmdSetController},
		"get-fail-mode":      {1, 1, "", cmdGetFailMode},
		"del-fail-mode":      {1, 1, "", cmdDelFailMode},
		"set-fail-mode":      {2, 2, "", cmdSetFailMode},
		"get-manager":        {0, 0, "", cmdGetManager},
		"del-manager":        {0, 0, "", cmdDelManager},
		"set-manager":        {1, -1, "--inactivity-probe", cmdSetManager},
		"get-ssl":            {0, 0, "", cmdGetSSL},
		"del-ssl":            {0, 0, "", cmdDelSSL},
		"set-ssl":            {3, 3, "--bootstrap", cmdSetSSL},
		"list":               {1, -1, "--if-exists --columns", cmdList},
		"find":               {1, -1, "--columns", cmdFind},
		"get":                {2, -1, "--if-exists --id", cmdGet},
		"set":                {3, -1, "--if-exists", cmdSet},
		"add":                {4, -1, "--if-exists", cmdAdd},
		"remove":             {4, -1, "--if-exists", cmdRemove},
		"clear":              {3, -1, "--if-exists", cmdClear},
		"create":             {2, -1, "--id", cmdCreate},
		"destroy":            {1, -1, "--if-exists --all", cmdDestroy},
		"wait-until":         {2, -1, "", cmdWaitUntil},
	}
}
