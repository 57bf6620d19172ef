/// One view of the explorer app (explore, train, ...): it draws the body of the screen and
/// handles the keys that are its own.
public protocol AppScreen: AnyObject {
    /// Its name on the tab row and in the title.
    var name: String { get }
    /// Takes in what happened since the last frame (training events, say). Called every frame.
    func update()
    /// Draws the body: the rows between the title and the status bar.
    func draw(into grid: inout Grid, top: Int, rows: Int)
    /// Acts on a key; returns false when the key is not this screen's.
    func handle(_ key: Key) -> Bool
    /// Its fields for the status bar (keys, or a notice), most important first: a narrow
    /// terminal drops the last ones whole.
    var statusKeys: [String] { get }
    /// Its keys for the help screen.
    var helpKeys: [(keys: String, action: String)] { get }
    /// Called once before the app quits (a training screen stops and saves here).
    func willQuit()
    /// True when the screen wants the app to end now (after Ctrl-C, say).
    var requestsQuit: Bool { get }
    /// True after `willQuit` while the screen still finishes work the app should wait for,
    /// drawing meanwhile (a trainer scoring its epoch and saving).
    var isFinishing: Bool { get }
    /// True while the screen changes by itself (training runs, an animation plays), so the
    /// app draws frames without waiting for keys; when no screen is busy the app draws only
    /// after a key or a resize.
    var isBusy: Bool { get }
}

extension AppScreen {
    public func update() {}
    public func willQuit() {}
    public var requestsQuit: Bool { false }
    public var isFinishing: Bool { false }
    public var isBusy: Bool { false }
}
